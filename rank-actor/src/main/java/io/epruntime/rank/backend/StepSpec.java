package io.epruntime.rank.backend;

import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.StepMode;

/**
 * One step as the coordinator sequenced it; identical on every rank.
 *
 * @param seq global sequence number; ranks run steps strictly in this order
 * @param generation the world generation the step belongs to
 * @param mode HT or LL, decided once by the coordinator
 * @param tokensPerRank every rank's token count this step (LL capacity check, receive sizing)
 * @param expertKernel the function the experts compute
 */
public record StepSpec(long seq, long generation, StepMode mode, int[] tokensPerRank, ExpertKernelSpec expertKernel) {}
