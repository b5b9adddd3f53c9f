package io.epruntime.protocol.actor;

import io.epruntime.protocol.cluster.ToClient;
import io.epruntime.protocol.cluster.ToCoordinator;
import io.epruntime.protocol.cluster.ToGateway;
import io.epruntime.protocol.cluster.WorldView;
import org.apache.pekko.actor.typed.ActorRef;

/** What a connecting client asks first: the world's config, state and rank endpoints ({@link WorldView}). */
public record GetWorld(ActorRef<ToClient> replyTo) implements ToCoordinator, ToGateway {}
