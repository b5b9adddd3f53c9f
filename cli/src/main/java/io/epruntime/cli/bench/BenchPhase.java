package io.epruntime.cli.bench;

import io.epruntime.cli.run.JsonLine;
import io.epruntime.cli.run.RunOptions;
import io.epruntime.cli.run.RunSnapshot;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * One measured phase of {@code ep bench} (a token size and a mode) and the renderings of a suite:
 * the results file and the table on stdout.
 */
record BenchPhase(int tokensPerRank, String mode, int ranks, RunSnapshot snapshot, long[] sortedLatencies) {

  String json() {
    RunSnapshot s = snapshot;
    return new JsonLine()
        .put("tokens_per_rank_max", tokensPerRank)
        .put("mode", mode)
        .put("steps", s.plannedSteps())
        .put("verified", s.verified())
        .put("mismatches", s.mismatches())
        .putSpeed(s)
        .put("wall_s", s.elapsedSeconds())
        .toString();
  }

  static String resultsJson(RunOptions world, String backend, String date, String command, String machineJson,
      List<BenchPhase> phases, boolean allVerified) {
    StringJoiner results = new StringJoiner(",", "[", "]");
    for (BenchPhase p : phases) {
      results.add(p.json());
    }
    String config = new JsonLine()
        .put("ranks", world.ranks())
        .put("hidden", world.hidden())
        .put("experts", world.experts())
        .put("topk", world.topk())
        .put("dtype", world.dtype().configName())
        .put("expert_kernel", world.kernel().name())
        .put("ll_capacity", world.llCapacity())
        .put("window", world.window())
        .put("tokens_per_rank", "uniform in [T/2, T] per rank and step")
        .toString();
    return new JsonLine()
        .put("suite", "ep-bench-end-to-end")
        .put("backend", backend)
        .put("date", date)
        .put("command", command)
        .putRaw("machine", machineJson)
        .putRaw("config", config)
        .put("all_verified", allVerified)
        .putRaw("results", results.toString())
        .toString();
  }

  static String table(String backend, List<BenchPhase> phases) {
    StringBuilder b = new StringBuilder("ep bench (" + backend + "): latency is submit-to-result, per step\n");
    b.append(String.format(Locale.ROOT, "%8s %5s %9s %10s %10s %10s %10s %12s %6s%n",
        "tokens", "mode", "steps", "p50 us", "p99 us", "max us", "steps/s", "dispatch GB/s", "bad"));
    for (BenchPhase p : phases) {
      RunSnapshot s = p.snapshot;
      b.append(String.format(Locale.ROOT, "%8d %5s %9d %10.0f %10.0f %10.0f %10.1f %12.4f %6d%n",
          p.tokensPerRank, p.mode, s.plannedSteps(), s.p50Nanos() / 1e3, s.p99Nanos() / 1e3, s.maxNanos() / 1e3,
          s.stepsPerSecond(), s.dispatchGbPerSecond(), s.mismatches() + s.failed()));
    }
    return b.toString();
  }
}
