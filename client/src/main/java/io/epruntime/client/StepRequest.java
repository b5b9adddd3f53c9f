package io.epruntime.client;

import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.List;

/**
 * One MoE step: per rank its hidden states and routing.
 *
 * @param x per rank {@code [T_r, H]}
 * @param routing per rank {@code topk_idx / topk_weights [T_r, K]}
 * @param kernel what the experts compute
 * @param mode HT or LL; null lets the coordinator choose (LL when every rank fits the LL capacity)
 */
public record StepRequest(List<HiddenStates> x, List<Routing> routing, ExpertKernelSpec kernel, StepMode mode) {}
