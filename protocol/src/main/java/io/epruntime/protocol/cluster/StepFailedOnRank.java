package io.epruntime.protocol.cluster;

/**
 * One rank could not finish step {@code seq}. {@code worldAborted} means its generation ended under
 * it (retriable); otherwise the step itself was bad or the backend failed.
 */
public record StepFailedOnRank(long seq, long generation, int rank, boolean worldAborted, String error)
    implements ToAggregator {}
