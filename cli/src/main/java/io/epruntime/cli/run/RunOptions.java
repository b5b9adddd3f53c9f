package io.epruntime.cli.run;

import io.epruntime.cli.CliException;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import java.time.Duration;

/**
 * The validated workload of one {@code ep run}: world shape, steps, tokens, expert function and
 * mode. Checks are made here, once, with the flag names a person typed, before any process starts.
 *
 * @param ranks N, rank processes (the world size)
 * @param steps steps to run and verify
 * @param tokens tokens per rank of the larger steps (LL steps of the auto mix use half)
 * @param hidden H
 * @param experts E, a multiple of N
 * @param topk K
 * @param dtype of dispatched hidden states
 * @param kernel the experts' function
 * @param mode auto (a mix of HT and LL steps chosen by the coordinator), ht or ll
 * @param llCapacity M, the LL capacity per rank the world is configured with (see {@link #defaultLlCapacity})
 * @param seed of the workload and of seeded expert weights
 * @param window most steps in flight at once
 * @param readyTimeout how long the cluster may take to become Ready
 * @param stepTimeout how long one step may take
 */
public record RunOptions(
    int ranks,
    int steps,
    int tokens,
    int hidden,
    int experts,
    int topk,
    DType dtype,
    ExpertKernelSpec kernel,
    Mode mode,
    int llCapacity,
    long seed,
    int window,
    Duration readyTimeout,
    Duration stepTimeout) {

  /** What {@code --mode} accepts. */
  public enum Mode {
    auto,
    ht,
    ll
  }

  public static final int MAX_RANKS = 64;

  public RunOptions {
    require(ranks >= 1 && ranks <= MAX_RANKS, "--ranks", ranks, "1.." + MAX_RANKS);
    require(steps >= 1, "--steps", steps, ">= 1");
    require(tokens >= 1, "--tokens", tokens, ">= 1");
    require(hidden >= 1, "--hidden", hidden, ">= 1");
    require(experts >= 1, "--experts", experts, ">= 1");
    if (experts % ranks != 0) {
      throw CliException.usage("--experts = " + experts + " is not a multiple of --ranks = " + ranks + "; every rank holds E/N experts");
    }
    require(topk >= 1 && topk <= Math.min(experts, EpConfig.MAX_TOPK), "--topk", topk, "1.." + Math.min(experts, EpConfig.MAX_TOPK) + " (at most --experts and " + EpConfig.MAX_TOPK + ")");
    if (dtype == DType.FP8_E4M3 && hidden % DType.FP8_SCALE_BLOCK != 0) {
      throw CliException.usage("--hidden = " + hidden + " must be a multiple of 128 for --dtype fp8-e4m3");
    }
    require(llCapacity >= 0, "--ll-capacity", llCapacity, ">= 0");
    if (mode == Mode.ll && llCapacity < tokens) {
      throw CliException.usage("--mode ll needs every step to fit the LL capacity: --tokens = " + tokens + " > LL capacity " + llCapacity);
    }
    require(window >= 1 && window <= 1024, "--window", window, "1..1024");
    require(!readyTimeout.isNegative() && !readyTimeout.isZero(), "--ready-timeout", readyTimeout.toSeconds(), "> 0 seconds");
    require(!stepTimeout.isNegative() && !stepTimeout.isZero(), "--step-timeout", stepTimeout.toSeconds(), "> 0 seconds");
  }

  private static void require(boolean ok, String flag, Object value, String allowed) {
    if (!ok) {
      throw CliException.usage(flag + " = " + value + " is not allowed; allowed: " + allowed);
    }
  }

  /**
   * The LL capacity a run uses unless told otherwise. In auto mode the small steps fit it and the
   * large ones do not, so the coordinator's rule yields both modes; in ll mode every step fits; in
   * ht mode LL is off.
   */
  public static int defaultLlCapacity(Mode mode, int tokens) {
    return switch (mode) {
      case auto -> Math.max(1, tokens / 2);
      case ll -> tokens;
      case ht -> 0;
    };
  }

  /** The same world with another workload: what one phase of {@code ep bench} runs. */
  public RunOptions phase(int phaseTokens, Mode phaseMode, int phaseSteps) {
    return new RunOptions(ranks, phaseSteps, phaseTokens, hidden, experts, topk, dtype, kernel, phaseMode, llCapacity, seed, window,
        readyTimeout, stepTimeout);
  }

  /** The world's configuration as every rank builds it. */
  public EpConfig epConfig() {
    return new EpConfig(ranks, experts, hidden, topk, llCapacity(), 1, dtype);
  }
}
