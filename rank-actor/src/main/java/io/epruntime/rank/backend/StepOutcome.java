package io.epruntime.rank.backend;

import io.epruntime.protocol.tensor.HiddenStates;

/**
 * A rank's finished step.
 *
 * @param combined this rank's output {@code [T_r, H]} in the combine dtype
 * @param receivedRows rows this rank received in dispatch (HT: deduplicated tokens; LL: token-expert pairs)
 * @param dispatchBytes bytes of hidden states this rank received in dispatch (DeepEP's count)
 * @param combineBytes bytes of hidden states this rank sent back in combine
 * @param dispatchNanos time from step start to dispatch received
 * @param combineNanos time from experts done to combine received
 */
public record StepOutcome(
    HiddenStates combined, long receivedRows, long dispatchBytes, long combineBytes, long dispatchNanos, long combineNanos) {}
