package io.epruntime.protocol.cluster;

import org.apache.pekko.actor.typed.ActorRef;

/** Asks rank 0 for a fresh bootstrap id from its backend for {@code generation}. */
public record NewUniqueId(long generation, ActorRef<ToCoordinator> replyTo) implements ToRank {}
