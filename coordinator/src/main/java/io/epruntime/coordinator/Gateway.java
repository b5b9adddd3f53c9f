package io.epruntime.coordinator;

import io.epruntime.protocol.actor.GetStatus;
import io.epruntime.protocol.actor.GetWorld;
import io.epruntime.protocol.cluster.ToCoordinator;
import io.epruntime.protocol.cluster.ToGateway;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Where clients come in, on every node at {@code /user/gateway}: hands their questions (the world,
 * the status; steps go over Aeron to the coordinator's node) to the coordinator singleton (wherever it lives now; the proxy buffers while it moves). Replies go
 * from the coordinator straight to the client's reference.
 */
public final class Gateway extends AbstractBehavior<ToGateway> {

  /** The actor's name, so clients can address {@code pekko://ep@host:port/user/gateway}. */
  public static final String NAME = "gateway";

  private final ActorRef<ToCoordinator> coordinator;

  public static Behavior<ToGateway> create(ActorRef<ToCoordinator> coordinator) {
    return Behaviors.setup(ctx -> new Gateway(ctx, coordinator));
  }

  private Gateway(ActorContext<ToGateway> context, ActorRef<ToCoordinator> coordinator) {
    super(context);
    this.coordinator = coordinator;
  }

  @Override
  public Receive<ToGateway> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetWorld.class, this::forward)
        .onMessage(GetStatus.class, this::forward)
        .build();
  }

  private <M extends ToCoordinator> Behavior<ToGateway> forward(M message) {
    coordinator.tell(message);
    return this;
  }
}
