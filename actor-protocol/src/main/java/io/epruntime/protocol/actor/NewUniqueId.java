package io.epruntime.protocol.actor;

import io.epruntime.protocol.cluster.ToCoordinator;
import io.epruntime.protocol.cluster.ToRank;
import org.apache.pekko.actor.typed.ActorRef;

/** Asks rank 0 for a fresh bootstrap id from its backend for {@code generation}. */
public record NewUniqueId(long generation, ActorRef<ToCoordinator> replyTo) implements ToRank {}
