package io.epruntime.cli.run;

import java.util.Map;

/**
 * The facts of one finished step that the statistics keep, independent of the client's types.
 *
 * @param seq the coordinator's sequence number
 * @param generation the world generation the step completed in
 * @param lowLatency true for an LL step, false for HT
 * @param attempts 1, or more when the client retried it after a generation change
 * @param latencyNanos submit to result, as the client measured it
 * @param dispatchBytes hidden-state bytes all ranks received in dispatch
 * @param combineBytes hidden-state bytes all ranks sent back in combine
 * @param tokens tokens of all ranks in the step
 * @param hops nanoseconds per hop of the step's trace ({@code StepTrace.HOPS}), -1 where not measured
 */
public record StepRecord(
    long seq, long generation, boolean lowLatency, int attempts, long latencyNanos, long dispatchBytes, long combineBytes, long tokens,
    Map<String, Long> hops) {}
