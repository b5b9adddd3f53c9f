package io.epruntime.tests.cluster;

import io.epruntime.client.EpClient;
import io.epruntime.client.StepRequest;
import io.epruntime.client.StepResult;
import io.epruntime.engine.ExpertKernel;
import io.epruntime.engine.RankInput;
import io.epruntime.engine.ReferenceEngine;
import io.epruntime.engine.Workloads;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Seeded steps for the cluster tests and their check against the in-process CPU reference
 * ({@link ReferenceEngine}): outputs must be byte-identical (the cpu backend and the reference
 * sum in the same fixed order), and the first mismatch is reported.
 */
final class StepCheck {
  static final EpConfig WORLD = new EpConfig(4, 8, 128, 2, 16, 1, DType.BF16);
  static final ExpertKernelSpec KERNEL = ExpertKernelSpec.scale();

  private final ReferenceEngine reference = new ReferenceEngine(WORLD);
  private final ExpertKernel kernel = ExpertKernel.of(KERNEL, WORLD);

  /** Step {@code i}: per-rank token counts 0..maxTokens, so small ones run LL and larger ones HT. */
  static StepRequest request(long seed, int maxTokens) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] tokens = new int[WORLD.worldSize()];
    for (int r = 0; r < tokens.length; r++) {
      tokens[r] = rnd.nextInt(maxTokens + 1);
    }
    List<RankInput> inputs = Workloads.random(WORLD, tokens, seed);
    List<HiddenStates> x = new ArrayList<>();
    List<Routing> routing = new ArrayList<>();
    for (RankInput in : inputs) {
      x.add(in.x());
      routing.add(in.routing());
    }
    return new StepRequest(x, routing, KERNEL, null);
  }

  /** What {@link #runVerified} saw: steps per mode and every mismatch with the reference. */
  record Summary(int ll, int ht, List<String> failures) {}

  /**
   * Submits {@code steps} seeded steps (seeds {@code seed0 + i}, up to 24 tokens per rank, so both
   * modes run) with at most {@code window} outstanding, each checked against the reference; fails
   * if a step does not complete within a minute.
   */
  Summary runVerified(EpClient client, int steps, int window, long seed0) throws Exception {
    AtomicInteger ll = new AtomicInteger();
    AtomicInteger ht = new AtomicInteger();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Void>> inFlight = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      StepRequest req = request(seed0 + i, 24);
      inFlight.add(client.submit(req).toCompletableFuture().thenAccept(res -> {
        (res.mode() == StepMode.LL ? ll : ht).incrementAndGet();
        String bad = mismatch(req, res);
        if (bad != null) {
          failures.add(bad);
        }
      }));
      if (inFlight.size() >= window) {
        inFlight.remove(0).get(60, TimeUnit.SECONDS);
      }
    }
    for (CompletableFuture<Void> f : inFlight) {
      f.get(60, TimeUnit.SECONDS);
    }
    return new Summary(ll.get(), ht.get(), List.copyOf(failures));
  }

  /** Null when {@code result} equals the reference for {@code request}; else the first difference. */
  String mismatch(StepRequest request, StepResult result) {
    List<HiddenStates> want = reference.runStep(result.mode(), kernel, request.x(), request.routing());
    for (int r = 0; r < want.size(); r++) {
      HiddenStates got = result.outputs().get(r);
      HiddenStates exp = want.get(r);
      if (got == null) {
        return "rank " + r + ": no output";
      }
      if (got.tokens() != exp.tokens() || got.hidden() != exp.hidden() || got.dtype() != exp.dtype()) {
        return "rank " + r + ": shape " + got.x() + " but the reference is " + exp.x();
      }
      if (!got.x().contentEquals(exp.x())) {
        for (int t = 0; t < exp.tokens(); t++) {
          for (int c = 0; c < exp.hidden(); c++) {
            if (Float.compare(got.value(t, c), exp.value(t, c)) != 0) {
              return "seq " + result.seq() + " (" + result.mode() + ") rank " + r + " token " + t + " channel " + c + ": got "
                  + got.value(t, c) + ", reference " + exp.value(t, c);
            }
          }
        }
        return "rank " + r + ": bytes differ";
      }
    }
    return null;
  }
}
