package io.epruntime.protocol.cluster;

import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.ep.StepTrace;

/**
 * One sequenced step, identical for every rank. A rank runs it when it also holds the client's
 * tensors for ({@code clientId}, {@code requestId}) and every earlier step of the generation is done,
 * and reports its end to the coordinator ({@link StepCompleted}, {@link StepFailedOnRank}).
 *
 * @param seq global sequence number
 * @param generation the world the step belongs to
 * @param index position of the step inside its generation, from 0 without gaps (the order ranks keep)
 * @param mode HT or LL, decided once by the coordinator
 * @param tokensPerRank every rank's token count
 * @param kernel what the experts compute
 * @param clientId the client whose tensors this step takes
 * @param requestId the client's id of this attempt
 * @param reportTo the coordinator's node ({@code host:port}), where the rank reports the step's end
 * @param trace the step's trace so far: the client's send, the coordinator's receipt and send
 */
public record RunStep(
    long seq,
    long generation,
    long index,
    StepMode mode,
    int[] tokensPerRank,
    ExpertKernelSpec kernel,
    long clientId,
    long requestId,
    String reportTo,
    StepTrace trace)
    implements ToRank {

  /** This step as the rank took it at {@code nanos}: the trace's rank receipt stamped. */
  public RunStep receivedAt(long nanos) {
    return new RunStep(seq, generation, index, mode, tokensPerRank, kernel, clientId, requestId, reportTo,
        trace.atRank(nanos, 0, 0, 0, 0));
  }
}
