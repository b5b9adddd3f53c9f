package io.epruntime.coordinator.health;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/** {@code /ready}: this node is a member Up and its rank is in the current Ready generation. */
public final class RankReadyCheck implements Supplier<CompletionStage<Boolean>> {
  private final ActorSystem system;

  public RankReadyCheck(ActorSystem system) {
    this.system = system;
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(NodeParts.of(system).board().ready());
  }
}
