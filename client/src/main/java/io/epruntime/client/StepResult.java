package io.epruntime.client;

import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.ep.StepTrace;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.List;
import java.util.Map;

/**
 * A completed step.
 *
 * @param outputs per rank its combined output {@code [T_r, H]}
 * @param attempts how many submissions it took (1 without retries)
 * @param latencyNanos from submit to the last output, over all attempts
 * @param hops where the last attempt's time went: nanoseconds per hop of {@link StepTrace#HOPS}, as
 *     traced by the rank whose output came last; -1 for a hop not measured. Hops between processes
 *     compare their {@code System.nanoTime()}, meaningful only when they share a host.
 */
public record StepResult(
    long seq, long generation, StepMode mode, List<HiddenStates> outputs, int attempts, long latencyNanos, long dispatchBytes,
    long combineBytes, Map<String, Long> hops) {}
