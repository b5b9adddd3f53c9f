package io.epruntime.rank.backend.nccl;

import io.epruntime.nativeep.EpGroup;
import io.epruntime.nativeep.EpGroupConfig;
import io.epruntime.nativeep.ExpertKind;
import io.epruntime.nativeep.NativeEpException;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.rank.backend.StepOutcome;
import io.epruntime.rank.backend.StepSpec;
import io.epruntime.rank.backend.WorldAbortedException;
import io.epruntime.rank.gpu.GpuDevice;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import jcuda.driver.CUevent;

/**
 * Queues one step on the rank's stream — H2D, dispatch, experts, combine, D2H — with timing events
 * between the phases, and completes the step's future from a CUDA host function (hopping to the GPU
 * thread to read the events). Runs on the GPU thread.
 */
final class StepRunner {
  private final GpuDevice gpu;
  private final GpuDevice.Stream stream;
  private final CUevent[] marks = new CUevent[4];

  StepRunner(GpuDevice gpu, GpuDevice.Stream stream) {
    this.gpu = gpu;
    this.stream = stream;
    gpu.call(() -> {
      for (int i = 0; i < marks.length; i++) {
        marks[i] = gpu.newEvent();
      }
      return null;
    }).join();
  }

  /** Error-word bit of a kernel's wait for a peer that ran out of time (EP_DEVERR_TIMEOUT). */
  static final int TIMEOUT_BIT = 8;

  /**
   * Queues the step; {@code endWorld} is told why when the step's kernels found that a peer did
   * not answer in time, since the ranks' barrier epochs no longer agree after that. On the NCCL
   * path an op may find NCCL still enqueueing its group (first contact with a peer): the rest of
   * the step is then queued from {@code later} (a timer hop back to the GPU thread) once NCCL is
   * done, so no thread ever waits for it.
   */
  void run(NcclWorld w, StepSpec step, HiddenStates x, Routing routing, CompletableFuture<StepOutcome> result,
      Consumer<String> endWorld, Consumer<Runnable> later) {
    EpGroupConfig c = w.config;
    int tokens = x.tokens();
    if (tokens > c.maxTokensPerRank()) {
      throw new EpArgumentException("x", "x has " + tokens + " tokens but ep.max-tokens-per-rank = " + c.maxTokensPerRank());
    }
    int[] perRank = step.tokensPerRank();
    if (perRank == null || perRank.length != c.worldSize() || perRank[c.rank()] != tokens) {
      throw new EpArgumentException("step.tokensPerRank", "needs " + c.worldSize() + " counts with this rank's = " + tokens);
    }
    ExpertKind kind = ExpertKind.of(step.expertKernel().name());
    if (kind == ExpertKind.SWIGLU) {
      SwigluWeights.ensure(gpu, w, step.expertKernel());
    }
    boolean ll = step.mode() == StepMode.LL;
    EpGroup g = w.group;
    gpu.zero32(w.workspace, w.buffers.errorWord(), 1, stream);
    w.staging.upload(gpu, w.workspace, w.buffers, stream, x, routing);
    gpu.record(marks[0], stream);
    // Each stage queues its work and says whether all of it is queued (false: NCCL still busy).
    List<BooleanSupplier> stages = List.of(
        () -> {
          if (ll) {
            return g.llDispatch(tokens);
          }
          g.layout(tokens);
          return g.htDispatch(tokens, perRank);
        },
        () -> mark(1),
        () -> {
          if (ll) {
            g.llExperts(kind);
          } else {
            g.htExperts(kind);
          }
          return mark(2);
        },
        () -> ll ? g.llCombine() : g.htCombine(),
        () -> mark(3),
        () -> {
          w.staging.download(gpu, w.workspace, w.buffers, w.view, stream, tokens);
          // The host function runs on a driver thread and must not call CUDA: it only hops back here.
          g.onStreamDone(() -> gpu.execute(() -> finish(w, step, ll, tokens, result, endWorld)));
          return true;
        });
    proceed(w, stages, 0, result, later);
  }

  private boolean mark(int i) {
    gpu.record(marks[i], stream);
    return true;
  }

  /** Runs stages from {@code from}; where one leaves NCCL busy, comes back through {@code later}. */
  private void proceed(NcclWorld w, List<BooleanSupplier> stages, int from, CompletableFuture<StepOutcome> result,
      Consumer<Runnable> later) {
    for (int i = from; i < stages.size(); i++) {
      if (result.isDone()) {
        return; // the world ended under the step
      }
      if (!stages.get(i).getAsBoolean()) {
        int next = i + 1;
        later.accept(() -> resume(w, stages, next, result, later));
        return;
      }
    }
  }

  private void resume(NcclWorld w, List<BooleanSupplier> stages, int next, CompletableFuture<StepOutcome> result,
      Consumer<Runnable> later) {
    if (result.isDone()) {
      return;
    }
    try {
      if (w.group.resume()) {
        proceed(w, stages, next, result, later);
      } else {
        later.accept(() -> resume(w, stages, next, result, later));
      }
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  private void finish(NcclWorld w, StepSpec step, boolean ll, int tokens, CompletableFuture<StepOutcome> result,
      Consumer<String> endWorld) {
    if (result.isDone()) {
      return; // aborted meanwhile; the staging may be gone
    }
    try {
      int err = w.staging.errorWord();
      if ((err & TIMEOUT_BIT) != 0) {
        // A peer that stops answering ends the generation: the step may be retried in the next.
        String why = "step " + step.seq() + ": a peer rank did not answer within ep.gpu.peer-timeout";
        WorldAbortedException aborted = new WorldAbortedException(step.generation(), why);
        aborted.initCause(new NativeEpException(NativeEpException.TIMEOUT, why));
        result.completeExceptionally(aborted);
        endWorld.accept(why);
        return;
      }
      if (err != 0) {
        result.completeExceptionally(new NativeEpException(NativeEpException.DEVICE,
            "the kernels found bad routing (error word 0x" + Integer.toHexString(err) + ": 1 = expert id out of range, "
                + "2 = expert repeated in a row, 4 = LL capacity exceeded, 8 = a peer timed out)"));
        return;
      }
      long rows = w.staging.receivedRows(ll);
      long dispatchNanos = (long) (gpu.elapsedMs(marks[0], marks[1]) * 1e6);
      long combineNanos = (long) (gpu.elapsedMs(marks[2], marks[3]) * 1e6);
      result.complete(new StepOutcome(w.staging.combined(tokens), rows, rows * w.staging.rowBytes(),
          rows * w.staging.combineRowBytes(), dispatchNanos, combineNanos));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }
}
