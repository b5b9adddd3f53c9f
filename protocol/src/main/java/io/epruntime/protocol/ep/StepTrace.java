package io.epruntime.protocol.ep;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one rank's part of a step spent its time: timestamps of the step's hops and the exchange
 * durations its backend measured. Timestamps are {@link System#nanoTime()} of the process that took
 * them: one clock for every process of a host (Linux's monotonic clock), so hops between processes
 * are meaningful when client, coordinator and ranks share a host; across hosts only the hops inside
 * one process are (sequencing, rank wait, dispatch, experts, combine). 0 = not taken.
 *
 * @param clientSent the client sent the step
 * @param coordinatorReceived the coordinator took the step
 * @param runSent the coordinator sent the sequenced step to the ranks
 * @param rankReceived this rank took the sequenced step
 * @param rankStarted this rank had the step and its tensors and started its backend
 * @param rankDone this rank's backend finished; its output left for the client
 * @param dispatchNanos the backend's dispatch (exchange included)
 * @param combineNanos the backend's combine (exchange included)
 */
public record StepTrace(
    long clientSent, long coordinatorReceived, long runSent, long rankReceived, long rankStarted, long rankDone,
    long dispatchNanos, long combineNanos) {

  /** The hops, in order: what {@link #hops(long)} names. */
  public static final List<String> HOPS = List.of("client_to_coordinator", "sequencing", "coordinator_to_rank", "rank_wait",
      "dispatch", "experts", "combine", "rank_to_client");

  /** None taken (an error frame). */
  public static final StepTrace NONE = new StepTrace(0, 0, 0, 0, 0, 0, 0, 0);

  /** This trace with the rank's own part filled in. */
  public StepTrace atRank(long received, long started, long done, long dispatch, long combine) {
    return new StepTrace(clientSent, coordinatorReceived, runSent, received, started, done, dispatch, combine);
  }

  /**
   * Nanoseconds of every hop of {@link #HOPS}, the last one ending at {@code clientReceived} (the
   * client's clock); a hop with a missing timestamp is -1. Experts are the backend's time less its
   * dispatch and combine.
   */
  public Map<String, Long> hops(long clientReceived) {
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("client_to_coordinator", between(clientSent, coordinatorReceived));
    out.put("sequencing", between(coordinatorReceived, runSent));
    out.put("coordinator_to_rank", between(runSent, rankReceived));
    out.put("rank_wait", between(rankReceived, rankStarted));
    out.put("dispatch", rankStarted == 0 || rankDone == 0 ? -1 : dispatchNanos);
    long backend = between(rankStarted, rankDone);
    out.put("experts", backend < 0 ? -1 : Math.max(0, backend - dispatchNanos - combineNanos));
    out.put("combine", rankStarted == 0 || rankDone == 0 ? -1 : combineNanos);
    out.put("rank_to_client", between(rankDone, clientReceived));
    return out;
  }

  private static long between(long from, long to) {
    return from == 0 || to == 0 ? -1 : to - from;
  }
}
