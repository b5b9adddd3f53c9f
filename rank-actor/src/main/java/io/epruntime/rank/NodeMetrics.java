package io.epruntime.rank;

import io.epruntime.protocol.ep.StepTrace;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One node's counters, written by its actors and rendered as Prometheus text on {@code /metrics}.
 * Lock-free: every field is an adder or an atomic array, so actors never wait on a scrape.
 */
public final class NodeMetrics {
  /** Upper bounds of the step latency buckets, seconds. */
  static final double[] BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private static final List<String> RANK_HOPS = List.of("rank_wait", "dispatch", "experts", "combine");

  private final Map<String, LongAdder> stepsByOutcome = new ConcurrentHashMap<>();
  private final Histogram stepLatency = new Histogram();
  /** Per hop of a step's trace measured on this node: sequencing (the coordinator), rank wait, dispatch, experts, combine. */
  private final Map<String, Histogram> hops = new ConcurrentHashMap<>();
  private final LongAdder dispatchBytes = new LongAdder();
  private final LongAdder combineBytes = new LongAdder();
  private volatile long generation;
  private volatile int rank = -1;
  private volatile boolean rankHealthy;

  /** Counts one step this node finished (rank side) with {@code outcome} such as ok, world_changed, failed. */
  public void stepFinished(String outcome, long nanos, long dispatched, long combined) {
    stepsByOutcome.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    if (nanos >= 0) {
      stepLatency.add(nanos);
    }
    dispatchBytes.add(dispatched);
    combineBytes.add(combined);
  }

  /** Counts one hop of a step's trace ({@code ep_step_hop_seconds{hop=...}}); negative (not measured) is ignored. */
  public void hop(String hop, long nanos) {
    if (nanos >= 0) {
      hops.computeIfAbsent(hop, k -> new Histogram()).add(nanos);
    }
  }

  /** Counts the hops a rank measured on its own clock: rank wait, dispatch, experts, combine. */
  public void rankHops(StepTrace trace) {
    Map<String, Long> all = trace.hops(0);
    for (String hop : RANK_HOPS) {
      hop(hop, all.get(hop));
    }
  }

  public void generation(long g) {
    generation = g;
  }

  public void rankHealth(int rank, boolean healthy) {
    this.rank = rank;
    this.rankHealthy = healthy;
  }

  public long steps(String outcome) {
    LongAdder a = stepsByOutcome.get(outcome);
    return a == null ? 0 : a.sum();
  }

  /** Prometheus text exposition format 0.0.4. */
  public String renderPrometheus() {
    StringBuilder sb = new StringBuilder(2048);
    sb.append("# HELP ep_steps_total Steps this rank finished, by outcome.\n# TYPE ep_steps_total counter\n");
    for (String outcome : new String[] {"ok", "world_changed", "failed"}) {
      stepsByOutcome.computeIfAbsent(outcome, k -> new LongAdder());
    }
    stepsByOutcome.forEach(
        (outcome, n) -> sb.append("ep_steps_total{outcome=\"").append(outcome).append("\"} ").append(n.sum()).append('\n'));
    sb.append("# HELP ep_step_seconds Time a step took on this rank, input and RunStep in hand to output sent.\n");
    sb.append("# TYPE ep_step_seconds histogram\n");
    stepLatency.render(sb, "ep_step_seconds", "");
    sb.append("# HELP ep_step_hop_seconds Time of each hop of a step measured on this node (sequencing on the coordinator's node; "
        + "rank_wait, dispatch, experts, combine on a rank).\n");
    sb.append("# TYPE ep_step_hop_seconds histogram\n");
    new TreeMap<>(hops).forEach((hop, h) -> h.render(sb, "ep_step_hop_seconds", "hop=\"" + hop + "\""));
    sb.append("# HELP ep_bytes_total Hidden-state bytes this rank received in dispatch and sent in combine.\n");
    sb.append("# TYPE ep_bytes_total counter\n");
    sb.append("ep_bytes_total{phase=\"dispatch\"} ").append(dispatchBytes.sum()).append('\n');
    sb.append("ep_bytes_total{phase=\"combine\"} ").append(combineBytes.sum()).append('\n');
    sb.append("# HELP ep_generation The world generation this rank last joined.\n# TYPE ep_generation gauge\n");
    sb.append("ep_generation ").append(generation).append('\n');
    sb.append("# HELP ep_rank_healthy 1 when this rank is in the current Ready generation.\n# TYPE ep_rank_healthy gauge\n");
    sb.append("ep_rank_healthy{rank=\"").append(rank).append("\"} ").append(rankHealthy ? 1 : 0).append('\n');
    return sb.toString();
  }

  /** A Prometheus histogram over {@link #BUCKETS}, lock-free. */
  private static final class Histogram {
    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS.length + 1);
    private final LongAdder count = new LongAdder();
    private final LongAdder sumNanos = new LongAdder();

    void add(long nanos) {
      double seconds = nanos / 1e9;
      int b = 0;
      while (b < BUCKETS.length && seconds > BUCKETS[b]) {
        b++;
      }
      buckets.incrementAndGet(b);
      count.increment();
      sumNanos.add(nanos);
    }

    /** The bucket, sum and count lines of {@code name}, with {@code labels} ("" or {@code k="v"}) on each. */
    void render(StringBuilder sb, String name, String labels) {
      String sep = labels.isEmpty() ? "" : ",";
      String own = labels.isEmpty() ? "" : "{" + labels + "}";
      long cumulative = 0;
      for (int b = 0; b < BUCKETS.length; b++) {
        cumulative += buckets.get(b);
        sb.append(name).append("_bucket{").append(labels).append(sep).append("le=\"").append(BUCKETS[b]).append("\"} ")
            .append(cumulative).append('\n');
      }
      cumulative += buckets.get(BUCKETS.length);
      sb.append(name).append("_bucket{").append(labels).append(sep).append("le=\"+Inf\"} ").append(cumulative).append('\n');
      sb.append(name).append("_sum").append(own).append(' ').append(sumNanos.sum() / 1e9).append('\n');
      sb.append(name).append("_count").append(own).append(' ').append(count.sum()).append('\n');
    }
  }
}
