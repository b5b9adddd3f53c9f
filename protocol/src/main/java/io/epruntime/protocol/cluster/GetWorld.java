package io.epruntime.protocol.cluster;

import org.apache.pekko.actor.typed.ActorRef;

/** What a connecting client asks first: the world's config, state and rank endpoints ({@link WorldView}). */
public record GetWorld(ActorRef<ToClient> replyTo) implements ToCoordinator, ToGateway {}
