package io.epruntime.client;

import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.ep.StepTrace;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.wire.StepOutputFrame;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One submission of a step: done when every rank's OK output frame is in, failed on the first
 * error. The ranks' frames carry the step's sequence number, generation, mode and byte counts, so
 * the coordinator sends nothing for a step that completed: the step's last hop is the last rank's
 * output. Frames of one attempt that disagree on seq or generation fail
 * it (never a mixed result). Written from the Aeron thread (outputs) and the actor system (errors),
 * so every method is synchronized; none blocks.
 */
final class Attempt {
  final long requestId;
  final CompletableFuture<Attempt> future = new CompletableFuture<>();
  private final HiddenStates[] outputs;
  private int received;
  private long seq = -1;
  private long generation = -1;
  private StepMode mode;
  private long dispatchBytes;
  private long combineBytes;
  /** The trace of the output that completed the step, and when it came (this client's clock). */
  private StepTrace lastTrace = StepTrace.NONE;
  private long lastReceivedNanos;

  Attempt(long requestId, int worldSize) {
    this.requestId = requestId;
    this.outputs = new HiddenStates[worldSize];
  }

  synchronized void onOutput(StepOutputFrame f) {
    long receivedNanos = System.nanoTime();
    if (future.isDone()) {
      return;
    }
    if (f.rank() < 0 || f.rank() >= outputs.length) {
      return; // a malformed frame for this request: the time-out covers a missing rank
    }
    switch (f.status()) {
      case OK -> accept(f, receivedNanos);
      case RETRIABLE -> future.completeExceptionally(
          new RetriableStepException(f.generation(), "rank " + f.rank() + ": " + f.error()));
      case REJECTED -> future.completeExceptionally(new StepRejectedException("x", "rank " + f.rank() + ": " + f.error()));
      default -> future.completeExceptionally(new EpClientException("step failed on rank " + f.rank() + ": " + f.error()));
    }
  }

  private void accept(StepOutputFrame f, long receivedNanos) {
    if (outputs[f.rank()] != null) {
      return; // a duplicate
    }
    if (received == 0) {
      seq = f.seq();
      generation = f.generation();
      mode = f.mode();
    } else if (f.seq() != seq || f.generation() != generation || f.mode() != mode) {
      future.completeExceptionally(new RetriableStepException(Math.max(generation, f.generation()),
          "ranks answered request " + requestId + " as different steps: seq " + seq + "/" + f.seq() + ", generation "
              + generation + "/" + f.generation()));
      return;
    }
    outputs[f.rank()] = f.combined();
    dispatchBytes += f.dispatchBytes();
    combineBytes += f.combineBytes();
    lastTrace = f.trace();
    lastReceivedNanos = receivedNanos;
    if (++received == outputs.length) {
      future.complete(this);
    }
  }

  void fail(Throwable t) {
    future.completeExceptionally(t);
  }

  synchronized long seq() {
    return seq;
  }

  synchronized long generation() {
    return generation;
  }

  synchronized StepMode mode() {
    return mode;
  }

  synchronized long dispatchBytes() {
    return dispatchBytes;
  }

  synchronized long combineBytes() {
    return combineBytes;
  }

  /** Nanoseconds per hop ({@link StepTrace#HOPS}) of the last rank's output, the one that completed the step. */
  synchronized Map<String, Long> hops() {
    return lastTrace.hops(lastReceivedNanos);
  }

  synchronized List<HiddenStates> outputs() {
    return Arrays.asList(outputs.clone());
  }
}
