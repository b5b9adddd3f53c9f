package io.epruntime.cli.run;

import io.epruntime.protocol.ep.StepTrace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Where the steps' time went ({@code ep run --trace}): per hop of {@link StepTrace#HOPS} its p50,
 * p99 and max over the run, and the slowest steps with their hops. Written from client callback
 * threads, read once at the end: every method is synchronized.
 */
public final class StepHops {
  /** How many of the slowest steps the table lists. */
  static final int SLOWEST = 5;

  private final Map<String, long[]> samples = new LinkedHashMap<>();
  private final Map<String, Integer> sizes = new LinkedHashMap<>();
  private final PriorityQueue<StepRecord> slowest = new PriorityQueue<>(Comparator.comparingLong(StepRecord::latencyNanos));

  public StepHops() {
    for (String hop : StepTrace.HOPS) {
      samples.put(hop, new long[64]);
      sizes.put(hop, 0);
    }
  }

  /** One completed step; hops not measured (-1) are left out of that hop's figures. */
  public synchronized void add(StepRecord step) {
    step.hops().forEach((hop, nanos) -> {
      long[] s = samples.get(hop);
      if (s == null || nanos < 0) {
        return;
      }
      int n = sizes.get(hop);
      if (n == s.length) {
        s = Arrays.copyOf(s, n * 2);
        samples.put(hop, s);
      }
      s[n] = nanos;
      sizes.put(hop, n + 1);
    });
    slowest.add(step);
    if (slowest.size() > SLOWEST) {
      slowest.poll();
    }
  }

  /** p50, p99 and max of one hop in nanoseconds; empty when it was never measured. */
  public synchronized long[] percentiles(String hop) {
    int n = sizes.getOrDefault(hop, 0);
    if (n == 0) {
      return new long[0];
    }
    long[] sorted = Arrays.copyOf(samples.get(hop), n);
    Arrays.sort(sorted);
    return new long[] {RunStats.percentile(sorted, 50), RunStats.percentile(sorted, 99), sorted[n - 1]};
  }

  /** The table: one row per hop, then the slowest steps; ends with a newline. */
  public synchronized String render() {
    StringBuilder b = new StringBuilder("step hops (the last rank's output of each step; hops between processes need one host's clock)\n");
    b.append(String.format(Locale.ROOT, "  %-22s %10s %10s %10s%n", "hop", "p50", "p99", "max"));
    for (String hop : StepTrace.HOPS) {
      long[] p = percentiles(hop);
      if (p.length == 0) {
        b.append(String.format(Locale.ROOT, "  %-22s %10s%n", hop, "-"));
      } else {
        b.append(String.format(Locale.ROOT, "  %-22s %10s %10s %10s%n", hop, Units.latency(p[0]), Units.latency(p[1]), Units.latency(p[2])));
      }
    }
    List<StepRecord> worst = new ArrayList<>(slowest);
    worst.sort(Comparator.comparingLong(StepRecord::latencyNanos).reversed());
    b.append("slowest steps\n");
    for (StepRecord s : worst) {
      b.append(String.format(Locale.ROOT, "  seq %-8d %10s ", s.seq(), Units.latency(s.latencyNanos())));
      s.hops().forEach((hop, nanos) -> b.append(' ').append(hop).append('=').append(nanos < 0 ? "-" : Units.latency(nanos).replace(" ", "")));
      b.append('\n');
    }
    return b.toString();
  }

  /** {@code {"hop":{"p50_us":..,"p99_us":..,"max_us":..},...}} for the JSON summary. */
  public synchronized String json() {
    StringBuilder b = new StringBuilder("{");
    for (String hop : StepTrace.HOPS) {
      long[] p = percentiles(hop);
      if (p.length == 0) {
        continue;
      }
      if (b.length() > 1) {
        b.append(',');
      }
      b.append(String.format(Locale.ROOT, "\"%s\":{\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f}", hop, p[0] / 1e3, p[1] / 1e3, p[2] / 1e3));
    }
    return b.append('}').toString();
  }
}
