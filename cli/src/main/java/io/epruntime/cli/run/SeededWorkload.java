package io.epruntime.cli.run;

import io.epruntime.engine.RankInput;
import io.epruntime.engine.Workloads;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The inputs of every step of a run, a pure function of (seed, step), so a failing step can be
 * reproduced from the seed alone. Token counts vary per rank and step; in auto mode even steps are
 * larger than the LL capacity (the coordinator must pick HT) and odd steps fit it (LL). The tensors
 * and routings come from the engine's {@link Workloads}, the generator the engine's tests use.
 */
public final class SeededWorkload {
  private final RunOptions options;
  private final EpConfig config;

  public SeededWorkload(RunOptions options) {
    this.options = options;
    this.config = options.epConfig();
  }

  /** The world's configuration the workload is shaped for. */
  public EpConfig config() {
    return config;
  }

  /** The inputs of step {@code index}. */
  public StepInput step(int index) {
    long stepSeed = mix(options.seed(), index);
    SplittableRandom counts = new SplittableRandom(stepSeed);
    int[] tokensPerRank = new int[options.ranks()];
    for (int r = 0; r < tokensPerRank.length; r++) {
      tokensPerRank[r] = tokensFor(index, counts);
    }
    List<HiddenStates> xs = new ArrayList<>(tokensPerRank.length);
    List<Routing> routings = new ArrayList<>(tokensPerRank.length);
    for (RankInput in : Workloads.random(config, tokensPerRank, stepSeed)) {
      xs.add(in.x());
      routings.add(in.routing());
    }
    return new StepInput(index, List.copyOf(xs), List.copyOf(routings), requestedMode());
  }

  private StepMode requestedMode() {
    return switch (options.mode()) {
      case auto -> null;
      case ht -> StepMode.HT;
      case ll -> StepMode.LL;
    };
  }

  /** Tokens of one rank in one step: a range that puts auto steps on both sides of the LL capacity. */
  private int tokensFor(int index, SplittableRandom rnd) {
    int max = options.tokens();
    int capacity = options.llCapacity();
    boolean auto = options.mode() == RunOptions.Mode.auto;
    if (auto && index % 2 == 0 && max > capacity) {
      return capacity + 1 + rnd.nextInt(max - capacity);
    }
    int hi = auto ? Math.min(capacity, max) : max;
    int lo = Math.max(1, hi / 2);
    return lo + rnd.nextInt(hi - lo + 1);
  }

  /** A well-spread 64-bit seed for (run seed, step) (SplitMix64's finaliser). */
  static long mix(long seed, int step) {
    long z = seed * 0x9E3779B97F4A7C15L + (step + 1) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
