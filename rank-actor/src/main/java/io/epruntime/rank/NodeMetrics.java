package io.epruntime.rank;

import java.util.Map;
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

  private final Map<String, LongAdder> stepsByOutcome = new ConcurrentHashMap<>();
  private final AtomicLongArray latencyBuckets = new AtomicLongArray(BUCKETS.length + 1);
  private final LongAdder latencyCount = new LongAdder();
  private final LongAdder latencySumNanos = new LongAdder();
  private final LongAdder dispatchBytes = new LongAdder();
  private final LongAdder combineBytes = new LongAdder();
  private volatile long generation;
  private volatile int rank = -1;
  private volatile boolean rankHealthy;

  /** Counts one step this node finished (rank side) with {@code outcome} such as ok, world_changed, failed. */
  public void stepFinished(String outcome, long nanos, long dispatched, long combined) {
    stepsByOutcome.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    if (nanos >= 0) {
      double seconds = nanos / 1e9;
      int b = 0;
      while (b < BUCKETS.length && seconds > BUCKETS[b]) {
        b++;
      }
      latencyBuckets.incrementAndGet(b);
      latencyCount.increment();
      latencySumNanos.add(nanos);
    }
    dispatchBytes.add(dispatched);
    combineBytes.add(combined);
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
    long cumulative = 0;
    for (int b = 0; b < BUCKETS.length; b++) {
      cumulative += latencyBuckets.get(b);
      sb.append("ep_step_seconds_bucket{le=\"").append(BUCKETS[b]).append("\"} ").append(cumulative).append('\n');
    }
    cumulative += latencyBuckets.get(BUCKETS.length);
    sb.append("ep_step_seconds_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
    sb.append("ep_step_seconds_sum ").append(latencySumNanos.sum() / 1e9).append('\n');
    sb.append("ep_step_seconds_count ").append(latencyCount.sum()).append('\n');
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
}
