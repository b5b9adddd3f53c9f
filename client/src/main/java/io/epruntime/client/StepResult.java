package io.epruntime.client;

import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.List;

/**
 * A completed step.
 *
 * @param outputs per rank its combined output {@code [T_r, H]}
 * @param attempts how many submissions it took (1 without retries)
 * @param latencyNanos from submit to the last output, over all attempts
 */
public record StepResult(
    long seq, long generation, StepMode mode, List<HiddenStates> outputs, int attempts, long latencyNanos, long dispatchBytes,
    long combineBytes) {}
