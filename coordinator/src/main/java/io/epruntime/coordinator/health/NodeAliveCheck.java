package io.epruntime.coordinator.health;

import io.epruntime.protocol.cluster.RankHealth;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * {@code /alive}: the process serves and its rank has not failed. Independent of peers on purpose: a
 * lost peer must not make Kubernetes restart the healthy ranks.
 */
public final class NodeAliveCheck implements Supplier<CompletionStage<Boolean>> {
  private final ActorSystem system;

  public NodeAliveCheck(ActorSystem system) {
    this.system = system;
  }

  @Override
  public CompletionStage<Boolean> get() {
    RankHealth health = NodeParts.of(system).board().health().state();
    return CompletableFuture.completedFuture(health != RankHealth.FAILED);
  }
}
