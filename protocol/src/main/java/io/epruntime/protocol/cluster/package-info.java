/**
 * Actor messages that cross nodes, all {@link io.epruntime.protocol.cluster.CborSerializable}
 * (Jackson CBOR). Tensors never travel here: they go client and ranks over Aeron.
 *
 * <pre>
 *  client --SubmitStep/GetWorld/GetStatus--> gateway (any node) --> coordinator (singleton)
 *  coordinator --Probe/NewUniqueId/WorldReady/EndGeneration/RunStep--> rank actors
 *  rank actors --RankHello/UniqueIdReply/BootstrapAck--> coordinator
 *  rank actors --StepCompleted/StepFailedOnRank--> coordinator --StepError (steps that fail)--> client
 *  (Bootstrap records go coordinator -> ranks over Aeron; ranks answer with BootstrapAck here.)
 * </pre>
 *
 * <p>The recipient interfaces ({@code ToCoordinator}, {@code ToRank}, ...) are not sealed because
 * each actor adds private messages (timer ticks, adapted replies) under its own type; Java cannot
 * seal across packages of the unnamed module.
 */
package io.epruntime.protocol.cluster;
