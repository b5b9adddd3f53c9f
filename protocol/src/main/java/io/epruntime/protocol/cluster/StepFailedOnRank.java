package io.epruntime.protocol.cluster;

import io.epruntime.protocol.ep.StepStatus;

/**
 * One rank could not finish step {@code seq}: {@link StepStatus#RETRIABLE} when its generation ended
 * under it, {@link StepStatus#REJECTED} for input it refused, {@link StepStatus#FAILED} when its
 * backend failed.
 */
public record StepFailedOnRank(long seq, long generation, int rank, StepStatus status, String error)
    implements ToCoordinator {}
