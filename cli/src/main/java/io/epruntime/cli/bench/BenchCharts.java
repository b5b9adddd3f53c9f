package io.epruntime.cli.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The two charts of a suite: latency distribution (CDF per phase) and throughput versus tokens. */
final class BenchCharts {
  /** A CDF line needs no more points than this to look smooth. */
  private static final int CDF_POINTS = 200;

  private BenchCharts() {}

  static List<Path> write(Path dir, String name, List<BenchPhase> phases) throws IOException {
    List<Path> files = new ArrayList<>();
    files.addAll(latency(phases).write(dir, name + "-latency"));
    files.addAll(throughput(phases).write(dir, name + "-throughput"));
    return files;
  }

  static LineChart latency(List<BenchPhase> phases) {
    LineChart c = new LineChart("Step latency distribution", "latency (us, log scale)", "percentile", true).yMax(100);
    for (BenchPhase p : phases) {
      long[] sorted = p.sortedLatencies();
      int n = Math.min(CDF_POINTS, sorted.length);
      double[] xs = new double[n];
      double[] ys = new double[n];
      for (int i = 0; i < n; i++) {
        int idx = n == 1 ? 0 : (int) ((long) i * (sorted.length - 1) / (n - 1));
        xs[i] = sorted[idx] / 1e3;
        ys[i] = 100.0 * (idx + 1) / sorted.length;
      }
      c.add(new LineChart.Series(p.mode() + " " + p.tokensPerRank() + " tok", xs, ys));
    }
    return c;
  }

  static LineChart throughput(List<BenchPhase> phases) {
    LineChart c = new LineChart("Throughput vs tokens per rank", "max tokens per rank (log scale)", "tokens/s (all ranks)", true);
    for (String mode : List.of("HT", "LL")) {
      List<BenchPhase> ofMode = phases.stream().filter(p -> p.mode().equals(mode)).toList();
      if (ofMode.isEmpty()) {
        continue;
      }
      double[] xs = new double[ofMode.size()];
      double[] ys = new double[ofMode.size()];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = ofMode.get(i).tokensPerRank();
        ys[i] = ofMode.get(i).snapshot().tokensPerSecond();
      }
      c.add(new LineChart.Series(mode, xs, ys));
    }
    return c;
  }
}
