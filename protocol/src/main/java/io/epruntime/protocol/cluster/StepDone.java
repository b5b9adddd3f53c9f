package io.epruntime.protocol.cluster;

import io.epruntime.protocol.ep.StepMode;

/** Every rank completed the client's step {@code requestId}; outputs travel separately over Aeron. */
public record StepDone(
    long requestId, long seq, long generation, StepMode mode, long dispatchBytes, long combineBytes)
    implements ToClient {}
