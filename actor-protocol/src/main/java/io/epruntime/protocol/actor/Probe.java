package io.epruntime.protocol.actor;

import io.epruntime.protocol.cluster.ToCoordinator;
import io.epruntime.protocol.cluster.ToRank;
import org.apache.pekko.actor.typed.ActorRef;

/** Health probe, sent to every rank every {@code ep.health.interval}; answered with a {@link RankHello}. */
public record Probe(long nonce, ActorRef<ToCoordinator> replyTo) implements ToRank {}
