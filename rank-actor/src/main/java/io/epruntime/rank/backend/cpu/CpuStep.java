package io.epruntime.rank.backend.cpu;

import io.epruntime.engine.ExpertKernel;
import io.epruntime.engine.HtDispatchResult;
import io.epruntime.engine.LlExpertPass;
import io.epruntime.engine.RankEngine;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.rank.backend.StepOutcome;
import io.epruntime.rank.backend.StepSpec;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One step on one rank, as a small state machine driven by payload arrivals: the engine call of
 * each hop, the outgoing payloads, and the counts that go into the {@link StepOutcome}.
 */
final class CpuStep {
  enum Phase { DISPATCHING, COMBINING, DONE }

  final StepSpec spec;
  final CompletableFuture<StepOutcome> result;
  private final RankEngine engine;
  private final ExpertKernel kernel;
  private final HiddenStates x;
  private final Routing routing;
  private final long startNanos = System.nanoTime();
  private Phase phase = Phase.DISPATCHING;
  private HtDispatchResult ht;
  private long receivedRows;
  private long dispatchNanos;
  private long expertsDoneNanos;

  CpuStep(StepSpec spec, RankEngine engine, ExpertKernel kernel, HiddenStates x, Routing routing, CompletableFuture<StepOutcome> result) {
    this.spec = spec;
    this.engine = engine;
    this.kernel = kernel;
    this.x = x;
    this.routing = routing;
    this.result = result;
  }

  Phase phase() {
    return phase;
  }

  /** This rank's dispatch payloads, index = destination; validates x and routing first. */
  ByteBuffer[] dispatchPayloads() {
    return spec.mode() == StepMode.LL ? engine.llDispatchSend(x, routing) : engine.htDispatchSend(x, routing);
  }

  /** Receives dispatch, runs the local experts and returns the combine payloads, index = home rank. */
  ByteBuffer[] receiveDispatchAndRunExperts(ByteBuffer[] fromSource) {
    dispatchNanos = System.nanoTime() - startNanos;
    ByteBuffer[] out;
    if (spec.mode() == StepMode.LL) {
      LlExpertPass pass = engine.llExpertsInPlace(fromSource, kernel);
      receivedRows = pass.receivedPairs();
      out = pass.combinePayloads();
    } else {
      ht = engine.htDispatchReceive(fromSource);
      receivedRows = ht.recvRows();
      out = engine.htCombineSend(ht, engine.htExpertsAndLocalReduce(ht, kernel));
    }
    expertsDoneNanos = System.nanoTime();
    phase = Phase.COMBINING;
    return out;
  }

  /** Sums the combine payloads into this rank's output and completes the step. */
  void receiveCombine(ByteBuffer[] fromRank) {
    HiddenStates combined = spec.mode() == StepMode.LL
        ? engine.llCombineReceive(fromRank, routing)
        : engine.htCombineReceive(fromRank, null);
    long combineNanos = System.nanoTime() - expertsDoneNanos;
    EpConfig c = engine.config();
    DType dispatchType = c.dtype();
    long dispatchRowBytes = (long) c.hidden() * dispatchType.bytesPerElement()
        + (dispatchType == DType.FP8_E4M3 ? 4L * (c.hidden() / DType.FP8_SCALE_BLOCK) : 0);
    long combineRowBytes = (long) c.hidden() * dispatchType.combineDType().bytesPerElement();
    // Every received row (HT: deduplicated token, LL: token-expert pair) goes home once in combine.
    phase = Phase.DONE;
    result.complete(new StepOutcome(combined, receivedRows, receivedRows * dispatchRowBytes,
        receivedRows * combineRowBytes, dispatchNanos, combineNanos));
  }

  void fail(Throwable cause) {
    phase = Phase.DONE;
    result.completeExceptionally(cause);
  }
}
