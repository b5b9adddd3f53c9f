package io.epruntime.rank;

import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.rank.backend.EpBackend;
import io.epruntime.rank.backend.StepOutcome;
import io.epruntime.rank.backend.StepSpec;
import io.epruntime.rank.backend.WorldSpec;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A backend for rank-actor tests: joins at once with no window, runs no step; tests override what they watch. */
class FakeBackend implements EpBackend {
  @Override
  public String kind() {
    return "fake";
  }

  @Override
  public byte[] newUniqueId() {
    return new byte[128];
  }

  @Override
  public CompletionStage<byte[]> joinWorld(WorldSpec world) {
    return CompletableFuture.completedFuture(new byte[0]);
  }

  @Override
  public CompletionStage<Void> connectPeers(long generation, List<byte[]> windows) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<StepOutcome> runStep(StepSpec step, HiddenStates x, Routing routing) {
    return CompletableFuture.failedFuture(new IllegalStateException("no steps here"));
  }

  @Override
  public void abortWorld(String reason) {}

  @Override
  public void close() {}
}
