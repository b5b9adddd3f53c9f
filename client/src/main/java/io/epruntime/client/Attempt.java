package io.epruntime.client;

import io.epruntime.protocol.cluster.StepDone;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.wire.StepOutputFrame;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One submission of a step: done when the coordinator's {@link StepDone} and every rank's output
 * frame are in (in any order), failed on the first error. Written from the Aeron thread (outputs)
 * and the actor system (replies), so every method is synchronized; none blocks.
 */
final class Attempt {
  final long requestId;
  final CompletableFuture<Attempt> future = new CompletableFuture<>();
  private final HiddenStates[] outputs;
  private int received;
  private StepDone done;

  Attempt(long requestId, int worldSize) {
    this.requestId = requestId;
    this.outputs = new HiddenStates[worldSize];
  }

  synchronized void onOutput(StepOutputFrame f) {
    if (future.isDone()) {
      return;
    }
    if (f.rank() < 0 || f.rank() >= outputs.length) {
      return; // a malformed frame for this request: the time-out covers a missing rank
    }
    switch (f.status()) {
      case StepOutputFrame.OK -> {
        if (outputs[f.rank()] == null) {
          outputs[f.rank()] = f.combined();
          received++;
        }
        completeIfWhole();
      }
      case StepOutputFrame.RETRIABLE -> future.completeExceptionally(
          new RetriableStepException(f.generation(), "rank " + f.rank() + ": " + f.error()));
      case StepOutputFrame.REJECTED -> future.completeExceptionally(new StepRejectedException("x", "rank " + f.rank() + ": " + f.error()));
      default -> future.completeExceptionally(new EpClientException("step failed on rank " + f.rank() + ": " + f.error()));
    }
  }

  synchronized void onDone(StepDone d) {
    done = d;
    completeIfWhole();
  }

  void fail(Throwable t) {
    future.completeExceptionally(t);
  }

  private void completeIfWhole() {
    if (done != null && received == outputs.length) {
      future.complete(this);
    }
  }

  synchronized StepDone done() {
    return done;
  }

  synchronized List<HiddenStates> outputs() {
    return Arrays.asList(outputs.clone());
  }
}
