package io.epruntime.rank.backend;

import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One rank's data plane: the {@code cpu} backend (pure Java, rows over Aeron) or the {@code nccl}
 * backend (native-ep on the rank's GPU). The rank actor drives it one step at a time, in sequence
 * order, and turns every completion into an actor message ({@code pipeToSelf}); so no method here
 * blocks the caller on peers, and completion comes from a callback (Aeron fragment handler, CUDA
 * host function), never from a thread that spins.
 *
 * <p>Lifecycle per generation: {@link #joinWorld} once, {@link #connectPeers} once when the
 * coordinator hands out the peer table (only when some rank brought a peer window), then
 * {@link #runStep} any number of times, then either the next {@link #joinWorld} or
 * {@link #abortWorld}. {@link #close} frees everything.
 */
public interface EpBackend extends AutoCloseable {

  /** {@code cpu} or {@code nccl}: the name used in configuration. */
  String kind();

  /**
   * A fresh bootstrap id for a new generation: {@code ncclGetUniqueId} for nccl, 128 random bytes for
   * cpu. Called on rank 0 only; the coordinator ships the bytes to every rank.
   */
  byte[] newUniqueId();

  /**
   * Joins the world of {@code world.generation()}: builds the Aeron mesh, or allocates the GPU
   * buffers. The stage completes with this rank's peer window, the bytes every other rank needs to
   * reach its buffers (empty when the backend needs no peer table), or fails with the cause. With
   * an empty window the rank can take steps at once; otherwise after {@link #connectPeers}.
   * Joining a new generation first aborts whatever the previous one left.
   */
  CompletionStage<byte[]> joinWorld(WorldSpec world);

  /**
   * The second phase of joining: every rank's window from {@link #joinWorld}, indexed by rank. The
   * stage completes when this rank can take steps of {@code generation}.
   */
  default CompletionStage<Void> connectPeers(long generation, List<byte[]> windows) {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Runs one whole MoE step on this rank: dispatch, the local experts, combine. {@code x} and
   * {@code routing} are this rank's tokens ({@code x} already validated against the world's config).
   * The stage completes with this rank's combined output, or exceptionally with
   * {@link WorldAbortedException} when the generation ends under it.
   */
  CompletionStage<StepOutcome> runStep(StepSpec step, HiddenStates x, Routing routing);

  /**
   * Ends the current generation at once (ncclCommAbort, or closing the mesh): every in-flight step
   * fails with {@link WorldAbortedException}. Safe to call from any thread, more than once.
   */
  void abortWorld(String reason);

  /** Aborts and frees everything. */
  @Override
  void close();
}
