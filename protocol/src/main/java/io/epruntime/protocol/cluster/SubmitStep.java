package io.epruntime.protocol.cluster;

import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.StepMode;

/**
 * The control half of a client's step (its tensors go to the ranks over Aeron), a binary frame over
 * Aeron to the coordinator's node ({@code StepControlCodec}). Answered only when it does not
 * complete, with a {@link StepError}; a completed step's answer is the ranks' outputs.
 *
 * @param generation the generation of the world view whose rank endpoints the client sent the
 *     tensors to; the coordinator refuses the step as retriable when its world is in another one
 *     (the tensors went by a stale view and would never all arrive), 0 = not checked
 * @param requestedMode null lets the coordinator choose by the LL rule
 * @param replyEndpoint the client's Aeron endpoint ({@code host:port}), where a {@link StepError} goes
 * @param sentNanos when the client sent it (its {@code System.nanoTime()}), for the step's trace
 */
public record SubmitStep(
    long clientId,
    long requestId,
    long generation,
    int[] tokensPerRank,
    ExpertKernelSpec kernel,
    StepMode requestedMode,
    String replyEndpoint,
    long sentNanos)
    implements ToCoordinator {}
