package io.epruntime.protocol.cluster;

import org.apache.pekko.actor.typed.ActorRef;

/** Asks for a {@link StatusReport}. */
public record GetStatus(ActorRef<ToClient> replyTo) implements ToCoordinator, ToGateway {}
