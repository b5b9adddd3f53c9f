package io.epruntime.protocol.cluster;

/** One rank finished step {@code seq}; its output went to the client over Aeron. */
public record StepCompleted(
    long seq, long generation, int rank, long receivedRows, long dispatchBytes, long combineBytes, long runNanos)
    implements ToCoordinator {}
