package io.epruntime.protocol.actor;

import io.epruntime.protocol.cluster.RankHealth;
import io.epruntime.protocol.cluster.ToCoordinator;
import io.epruntime.protocol.cluster.ToRank;
import io.epruntime.protocol.ep.EpConfig;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A rank introduces itself (at start and as the answer to every {@link Probe}); the coordinator
 * builds and rebuilds its view of the world from these, so a new coordinator after fail-over needs
 * nothing else.
 *
 * @param rank the node's rank number from its configuration
 * @param rankRef where the coordinator sends {@link ToRank} messages
 * @param aeronEndpoint {@code host:port} of the node's Aeron subscriptions (bootstrap, step input)
 * @param config the world shape this rank was configured with; must equal the coordinator's
 * @param backend {@code cpu} or {@code nccl}
 * @param generation the generation the rank has joined, 0 if none
 * @param lastSeq the last step sequence number it finished, -1 if none
 * @param health where the rank stands
 * @param healthDetail why, for {@link RankHealth#FAILED} and {@link RankHealth#REJECTED}; else empty
 * @param nonce the probe this answers, 0 when unsolicited
 */
public record RankHello(
    int rank,
    ActorRef<ToRank> rankRef,
    String aeronEndpoint,
    EpConfig config,
    String backend,
    long generation,
    long lastSeq,
    RankHealth health,
    String healthDetail,
    long nonce)
    implements ToCoordinator {

  /** Health and detail as status pages show them ({@code failed: why}). */
  public String describeHealth() {
    return health.describe(healthDetail);
  }
}
