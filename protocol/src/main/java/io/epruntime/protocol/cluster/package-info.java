/**
 * The cluster's messages. Those that cross nodes over Pekko remoting are
 * {@link io.epruntime.protocol.cluster.CborSerializable} (Jackson CBOR); the step's control travels
 * as binary frames over Aeron instead ({@code protocol.wire.StepControlCodec}). Tensors never travel
 * here: they go between client and ranks over Aeron.
 *
 * <pre>
 *  client --GetWorld/GetStatus--> gateway (any node) --> coordinator (singleton)      (Pekko)
 *  coordinator --Probe/NewUniqueId/WorldReady/EndGeneration--> rank actors             (Pekko)
 *  rank actors --RankHello/UniqueIdReply/BootstrapAck--> coordinator                   (Pekko)
 *  client --SubmitStep--> coordinator --RunStep--> rank actors                         (Aeron)
 *  rank actors --StepCompleted/StepFailedOnRank--> coordinator --StepError--> client   (Aeron)
 *  (Bootstrap records go coordinator -> ranks over Aeron; ranks answer with BootstrapAck.)
 * </pre>
 *
 * <p>The asks among them (GetWorld, GetStatus, Probe, NewUniqueId, RankHello) carry a Pekko
 * {@code ActorRef} to reply to, so they live in the ep-actor-protocol module
 * ({@code io.epruntime.protocol.actor}); this module, and the engine, transport and native-ep that
 * use it, do not depend on Pekko.
 *
 * <p>The recipient interfaces ({@code ToCoordinator}, {@code ToRank}, ...) are not sealed because
 * each actor adds private messages (timer ticks, adapted replies) under its own type; Java cannot
 * seal across packages of the unnamed module.
 */
package io.epruntime.protocol.cluster;
