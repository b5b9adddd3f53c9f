package io.epruntime.protocol.wire;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.ep.StepStatus;
import io.epruntime.protocol.ep.StepTrace;
import io.epruntime.protocol.tensor.HiddenStates;
import java.nio.ByteBuffer;

/**
 * A rank's answer to a {@link StepInputFrame}, sent to the client's reply endpoint (STEP_OUTPUT
 * stream). An OK frame carries everything the client needs to finish the step without waiting for
 * the coordinator: once every rank's OK frame of one request is in, with one seq and generation,
 * the step is done.
 *
 * @param status {@link StepStatus#OK} with {@code combined} set; else {@link StepStatus#REJECTED} (the
 *     input was refused, {@code error} names the field), {@link StepStatus#RETRIABLE} (the world
 *     changed under the step) or {@link StepStatus#FAILED}, with {@code error} saying why
 * @param mode the step's mode as sequenced; null on an error frame
 * @param dispatchBytes bytes this rank received in dispatch (0 on an error frame)
 * @param combineBytes bytes this rank sent home in combine (0 on an error frame)
 * @param combined this rank's combined output; null unless status is OK
 * @param trace where this rank's part of the step spent its time ({@link StepTrace#NONE} on an error frame)
 */
public record StepOutputFrame(
    long clientId, long requestId, int rank, long seq, long generation, StepStatus status, String error, StepMode mode,
    long dispatchBytes, long combineBytes, HiddenStates combined, StepTrace trace) {

  public StepOutputFrame {
    EpArgumentException.require(status == StepStatus.OK || status == StepStatus.REJECTED || status == StepStatus.RETRIABLE
        || status == StepStatus.FAILED, "status", status, "OK, REJECTED, RETRIABLE or FAILED");
    EpArgumentException.require(status != StepStatus.OK || combined != null, "combined", null, "an output when status = OK");
    EpArgumentException.require(status != StepStatus.OK || mode != null, "mode", null, "HT or LL when status = OK");
    EpArgumentException.require(dispatchBytes >= 0 && combineBytes >= 0, "dispatchBytes", dispatchBytes + "/" + combineBytes, ">= 0");
    EpArgumentException.require(status == StepStatus.OK || (error != null && combined == null), "error", error,
        "a message and no output when status != OK");
    EpArgumentException.require(trace != null, "trace", null, "a trace (StepTrace.NONE when none)");
  }

  public static StepOutputFrame ok(
      long clientId, long requestId, int rank, long seq, long generation, StepMode mode, long dispatchBytes, long combineBytes,
      HiddenStates combined, StepTrace trace) {
    return new StepOutputFrame(clientId, requestId, rank, seq, generation, StepStatus.OK, null, mode, dispatchBytes, combineBytes,
        combined, trace);
  }

  public static StepOutputFrame failed(long clientId, long requestId, int rank, long seq, long generation, StepStatus status,
      String error) {
    return new StepOutputFrame(clientId, requestId, rank, seq, generation, status, error, null, 0, 0, null, StepTrace.NONE);
  }

  public byte[] encode() {
    WireWriter w = WireWriter.frame(WireType.STEP_OUTPUT, 96 + (combined == null ? 0 : TensorCodec.sizeOf(combined)));
    w.putLong(clientId).putLong(requestId).putInt(rank).putLong(seq).putLong(generation).putInt(status.ordinal()).putString(error)
        .putByte(mode == null ? -1 : mode.ordinal()).putLong(dispatchBytes).putLong(combineBytes);
    w.putLong(trace.clientSent()).putLong(trace.coordinatorReceived()).putLong(trace.runSent()).putLong(trace.rankReceived())
        .putLong(trace.rankStarted()).putLong(trace.rankDone()).putLong(trace.dispatchNanos()).putLong(trace.combineNanos());
    if (combined != null) {
      TensorCodec.write(w, combined);
    }
    return w.toBytes();
  }

  public static StepOutputFrame decode(ByteBuffer frame) {
    WireReader r = WireReader.open(frame, WireType.STEP_OUTPUT);
    long clientId = r.readLong("clientId");
    long requestId = r.readLong("requestId");
    int rank = r.readInt("rank", 0, Integer.MAX_VALUE);
    long seq = r.readLong("seq");
    long generation = r.readLong("generation");
    StepStatus status = StepStatus.values()[r.readInt("status", 0, StepStatus.values().length - 1)];
    String error = r.readString("error", 64 * 1024, true);
    byte modeCode = r.readByte("mode");
    if (modeCode < -1 || modeCode >= StepMode.values().length) {
      throw new WireFormatException("mode", "mode = " + modeCode + " is not -1 (none), 0 (HT) or 1 (LL)");
    }
    StepMode mode = modeCode < 0 ? null : StepMode.values()[modeCode];
    long dispatchBytes = r.readLong("dispatchBytes");
    long combineBytes = r.readLong("combineBytes");
    StepTrace trace = new StepTrace(r.readLong("trace.clientSent"), r.readLong("trace.coordinatorReceived"), r.readLong("trace.runSent"),
        r.readLong("trace.rankReceived"), r.readLong("trace.rankStarted"), r.readLong("trace.rankDone"), r.readLong("trace.dispatchNanos"),
        r.readLong("trace.combineNanos"));
    HiddenStates combined = status == StepStatus.OK ? TensorCodec.readHiddenStates(r, "combined") : null;
    r.expectEnd("STEP_OUTPUT");
    try {
      return new StepOutputFrame(clientId, requestId, rank, seq, generation, status, error, mode, dispatchBytes, combineBytes, combined,
          trace);
    } catch (WireFormatException e) {
      throw e;
    } catch (EpArgumentException e) {
      throw new WireFormatException(e.argument(), e.getMessage());
    }
  }
}
