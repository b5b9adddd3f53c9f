package io.epruntime.cli.run;

import io.epruntime.client.EpClient;
import io.epruntime.client.StepRequest;
import io.epruntime.client.StepResult;
import io.epruntime.engine.ExpertKernel;
import io.epruntime.engine.ReferenceEngine;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Drives the steps of a run through the client with at most {@code window} in flight, and checks
 * each result against the {@link ReferenceEngine} (including the mode the coordinator chose). All
 * generation, submission and verification happens on one worker thread, in completion order; the
 * next step is submitted when one completes, so nothing waits and nothing spins.
 */
final class RunDriver {
  private final EpClient client;
  private final SeededWorkload workload;
  private final ExpertKernelSpec kernelSpec;
  private final EpConfig config;
  private final ReferenceEngine reference;
  private final ExpertKernel kernel;
  private final RunStats stats;
  private final int steps;
  private final int window;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "ep-run-verify");
    t.setDaemon(true);
    return t;
  });
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private int nextStep;
  private int finishedSteps;

  RunDriver(EpClient client, SeededWorkload workload, RunOptions options, RunStats stats) {
    this.client = client;
    this.workload = workload;
    this.kernelSpec = options.kernel();
    this.config = workload.config();
    this.reference = new ReferenceEngine(config);
    this.kernel = ExpertKernel.of(kernelSpec, config);
    this.stats = stats;
    this.steps = options.steps();
    this.window = options.window();
  }

  /** Starts the run; the future completes when every step has a result or a final failure. */
  CompletableFuture<Void> start() {
    worker.execute(() -> {
      for (int i = 0; i < Math.min(window, steps); i++) {
        submitNext();
      }
    });
    return done;
  }

  /** Stops submitting (after a cluster failure); steps in flight are abandoned. */
  void stop() {
    worker.shutdownNow();
  }

  private void submitNext() {
    if (nextStep >= steps) {
      return;
    }
    StepInput in = workload.step(nextStep++);
    CompletionStage<StepResult> stage;
    try {
      stage = client.submit(new StepRequest(in.x(), in.routing(), kernelSpec, in.requestedMode()));
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenCompleteAsync((result, error) -> onCompleted(in, result, error), worker);
  }

  private void onCompleted(StepInput in, StepResult result, Throwable error) {
    // Refill the window first, so the cluster works on the next step while this one is verified.
    submitNext();
    try {
      if (error != null) {
        stats.recordFailure(in.index(), describe(error));
      } else {
        String problem = verify(in, result);
        stats.recordResult(record(result, in), problem == null, problem == null ? null : "step " + in.index() + " (seq "
            + result.seq() + ", " + result.mode() + ", generation " + result.generation() + "): " + problem);
      }
    } catch (RuntimeException e) {
      stats.recordFailure(in.index(), "could not verify: " + e);
    }
    if (++finishedSteps == steps) {
      done.complete(null);
      worker.shutdown();
    }
  }

  /** Null when the result is right: the mode the rule gives, and outputs equal to the reference's. */
  String verify(StepInput in, StepResult result) {
    StepMode expectedMode = in.requestedMode() != null ? in.requestedMode() : StepMode.choose(config, in.tokensPerRank());
    if (result.mode() != expectedMode) {
      return "ran as " + result.mode() + " but per-rank tokens " + java.util.Arrays.toString(in.tokensPerRank())
          + " with LL capacity " + config.llMaxTokensPerRank() + " call for " + expectedMode;
    }
    List<HiddenStates> expected = reference.runStep(result.mode(), kernel, in.x(), in.routing());
    return OutputComparator.mismatch(expected, result.outputs(), config.dtype(), result.mode());
  }

  private static StepRecord record(StepResult r, StepInput in) {
    long tokens = java.util.Arrays.stream(in.tokensPerRank()).asLongStream().sum();
    return new StepRecord(r.seq(), r.generation(), r.mode() == StepMode.LL, r.attempts(), r.latencyNanos(), r.dispatchBytes(),
        r.combineBytes(), tokens, r.hops());
  }

  private static String describe(Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
