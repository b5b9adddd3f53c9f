package io.epruntime.protocol.wire;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.cluster.RunStep;
import io.epruntime.protocol.cluster.StepCompleted;
import io.epruntime.protocol.cluster.StepError;
import io.epruntime.protocol.cluster.StepFailedOnRank;
import io.epruntime.protocol.cluster.SubmitStep;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.ep.StepStatus;
import io.epruntime.protocol.ep.StepTrace;
import java.nio.ByteBuffer;

/**
 * The step's control messages as binary frames, for the one path every step takes over the nodes'
 * Aeron drivers (CONTROL stream): a client's {@link SubmitStep} to the coordinator's node, the
 * coordinator's {@link RunStep} to each rank's node, each rank's {@link StepCompleted} or
 * {@link StepFailedOnRank} back, and a {@link StepError} to a client whose step did not complete.
 * Plain fields, no actor references: replies go to the Aeron endpoint a frame names.
 */
public final class StepControlCodec {
  static final int MAX_ENDPOINT_BYTES = 1024;
  static final int MAX_TEXT_BYTES = 64 * 1024;
  static final int MAX_KERNEL_NAME_BYTES = 64;

  private StepControlCodec() {}

  public static byte[] encode(SubmitStep s) {
    WireWriter w = WireWriter.frame(WireType.SUBMIT_STEP, 96 + 4 * s.tokensPerRank().length);
    w.putLong(s.clientId()).putLong(s.requestId()).putLong(s.generation());
    putCounts(w, s.tokensPerRank());
    putKernel(w, s.kernel());
    w.putByte(s.requestedMode() == null ? -1 : s.requestedMode().ordinal()).putString(s.replyEndpoint()).putLong(s.sentNanos());
    return w.toBytes();
  }

  public static byte[] encode(RunStep r) {
    WireWriter w = WireWriter.frame(WireType.RUN_STEP, 128 + 4 * r.tokensPerRank().length);
    w.putLong(r.seq()).putLong(r.generation()).putLong(r.index()).putByte(r.mode().ordinal());
    putCounts(w, r.tokensPerRank());
    putKernel(w, r.kernel());
    w.putLong(r.clientId()).putLong(r.requestId()).putString(r.reportTo());
    w.putLong(r.trace().clientSent()).putLong(r.trace().coordinatorReceived()).putLong(r.trace().runSent());
    return w.toBytes();
  }

  public static byte[] encode(StepCompleted c) {
    WireWriter w = WireWriter.frame(WireType.STEP_COMPLETED, 56);
    w.putLong(c.seq()).putLong(c.generation()).putInt(c.rank()).putLong(c.receivedRows()).putLong(c.dispatchBytes())
        .putLong(c.combineBytes()).putLong(c.runNanos());
    return w.toBytes();
  }

  public static byte[] encode(StepFailedOnRank f) {
    WireWriter w = WireWriter.frame(WireType.STEP_FAILED, 64 + f.error().length());
    w.putLong(f.seq()).putLong(f.generation()).putInt(f.rank()).putByte(f.status().ordinal()).putString(f.error());
    return w.toBytes();
  }

  public static byte[] encode(StepError e) {
    WireWriter w = WireWriter.frame(WireType.STEP_ERROR, 64 + (e.message() == null ? 0 : e.message().length()));
    w.putLong(e.clientId()).putLong(e.requestId()).putByte(e.status().ordinal()).putLong(e.generation()).putString(e.field())
        .putString(e.message());
    return w.toBytes();
  }

  /**
   * Decodes any step control frame into its record; a {@link WireFormatException} naming the field
   * when it is malformed or of another type.
   */
  public static Object decode(ByteBuffer frame) {
    WireType type = WireReader.peekType(frame);
    WireReader r = WireReader.open(frame, type);
    try {
      Object out = switch (type) {
        case SUBMIT_STEP -> new SubmitStep(r.readLong("clientId"), r.readLong("requestId"), r.readLong("generation"),
            counts(r), kernel(r), mode(r, true), r.readString("replyEndpoint", MAX_ENDPOINT_BYTES, false), r.readLong("sentNanos"));
        case RUN_STEP -> new RunStep(r.readLong("seq"), r.readLong("generation"), r.readLong("index"), mode(r, false), counts(r),
            kernel(r), r.readLong("clientId"), r.readLong("requestId"), r.readString("reportTo", MAX_ENDPOINT_BYTES, false),
            new StepTrace(r.readLong("trace.clientSent"), r.readLong("trace.coordinatorReceived"), r.readLong("trace.runSent"), 0, 0, 0,
                0, 0));
        case STEP_COMPLETED -> new StepCompleted(r.readLong("seq"), r.readLong("generation"), r.readInt("rank", 0, Integer.MAX_VALUE),
            r.readLong("receivedRows"), r.readLong("dispatchBytes"), r.readLong("combineBytes"), r.readLong("runNanos"));
        case STEP_FAILED -> new StepFailedOnRank(r.readLong("seq"), r.readLong("generation"), r.readInt("rank", 0, Integer.MAX_VALUE),
            status(r), r.readString("error", MAX_TEXT_BYTES, false));
        case STEP_ERROR -> new StepError(r.readLong("clientId"), r.readLong("requestId"), status(r), r.readLong("generation"),
            r.readString("field", MAX_TEXT_BYTES, true), r.readString("message", MAX_TEXT_BYTES, false));
        default -> throw new WireFormatException("type", "a " + type + " frame is not a step control frame");
      };
      r.expectEnd(type.name());
      return out;
    } catch (WireFormatException e) {
      throw e;
    } catch (EpArgumentException e) {
      throw new WireFormatException(e.argument(), e.getMessage());
    }
  }

  private static void putCounts(WireWriter w, int[] counts) {
    w.putInt(counts.length);
    for (int c : counts) {
      w.putInt(c);
    }
  }

  private static int[] counts(WireReader r) {
    int n = r.readInt("tokensPerRank.count", 1, EpConfig.MAX_WORLD_SIZE);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = r.readInt("tokensPerRank[" + i + "]");
    }
    return out;
  }

  private static void putKernel(WireWriter w, ExpertKernelSpec k) {
    w.putString(k.name()).putLong(k.seed()).putInt(k.intermediate());
  }

  private static ExpertKernelSpec kernel(WireReader r) {
    return new ExpertKernelSpec(r.readString("kernel.name", MAX_KERNEL_NAME_BYTES, false), r.readLong("kernel.seed"),
        r.readInt("kernel.intermediate"));
  }

  private static StepMode mode(WireReader r, boolean optional) {
    byte code = r.readByte("mode");
    if (optional && code == -1) {
      return null;
    }
    if (code < 0 || code >= StepMode.values().length) {
      throw new WireFormatException("mode", "mode = " + code + " is not " + (optional ? "-1 (coordinator's choice), " : "")
          + "0 (HT) or 1 (LL)");
    }
    return StepMode.values()[code];
  }

  private static StepStatus status(WireReader r) {
    byte code = r.readByte("status");
    if (code < 0 || code >= StepStatus.values().length) {
      throw new WireFormatException("status", "status = " + code + " is outside 0.." + (StepStatus.values().length - 1));
    }
    return StepStatus.values()[code];
  }
}
