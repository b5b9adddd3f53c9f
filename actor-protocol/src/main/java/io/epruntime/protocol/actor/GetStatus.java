package io.epruntime.protocol.actor;

import io.epruntime.protocol.cluster.StatusReport;
import io.epruntime.protocol.cluster.ToClient;
import io.epruntime.protocol.cluster.ToCoordinator;
import io.epruntime.protocol.cluster.ToGateway;
import org.apache.pekko.actor.typed.ActorRef;

/** Asks for a {@link StatusReport}. */
public record GetStatus(ActorRef<ToClient> replyTo) implements ToCoordinator, ToGateway {}
