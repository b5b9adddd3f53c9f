package io.epruntime.protocol.wire;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Tensors and routings inside frames. A tensor is {@code dtype (byte) | rows | cols | raw bytes};
 * decoded tensors share the frame's memory, so the frame buffer must belong to the receiver (the
 * transport hands every receiver its own copy).
 */
public final class TensorCodec {
  private TensorCodec() {}

  public static void write(WireWriter w, Tensor t) {
    w.putByte(t.dtype().ordinal()).putInt(t.rows()).putInt(t.cols()).putRaw(t.data());
  }

  public static Tensor readTensor(WireReader r, String field) {
    byte code = r.readByte(field + ".dtype");
    DType[] all = DType.values();
    if (code < 0 || code >= all.length) {
      throw new WireFormatException(field + ".dtype", field + ".dtype code " + code + " is unknown; allowed 0.." + (all.length - 1) + " (" + DType.allowedNames() + ")");
    }
    DType dtype = all[code];
    int rows = r.readInt(field + ".rows", 0, Integer.MAX_VALUE);
    int cols = r.readInt(field + ".cols", 0, Integer.MAX_VALUE);
    long bytes = (long) rows * cols * dtype.bytesPerElement(); // below 2^64, so an overflow shows as negative
    if (bytes < 0 || bytes > Integer.MAX_VALUE) {
      throw new WireFormatException(field + ".data", field + " [" + rows + ", " + cols + "] of " + dtype + " exceeds the 2 GiB tensor limit");
    }
    return Tensor.wrap(dtype, rows, cols, r.readSlice(field + ".data", bytes));
  }

  /** {@code x}, then a flag byte and the fp8 scales when present. */
  public static void write(WireWriter w, HiddenStates h) {
    write(w, h.x());
    w.putByte(h.scales() == null ? 0 : 1);
    if (h.scales() != null) {
      write(w, h.scales());
    }
  }

  public static HiddenStates readHiddenStates(WireReader r, String field) {
    Tensor x = readTensor(r, field);
    byte hasScales = r.readByte(field + ".hasScales");
    if (hasScales != 0 && hasScales != 1) {
      throw new WireFormatException(field + ".hasScales", field + ".hasScales = " + hasScales + "; allowed 0 or 1");
    }
    Tensor scales = hasScales == 1 ? readTensor(r, field + ".scales") : null;
    try {
      return new HiddenStates(x, scales);
    } catch (IllegalArgumentException e) {
      throw new WireFormatException(field, e.getMessage());
    }
  }

  public static void write(WireWriter w, Routing routing) {
    w.putInt(routing.tokens()).putInt(routing.topk());
    ByteBuffer b = ByteBuffer.allocate(routing.topkIdx().length * 12).order(ByteOrder.LITTLE_ENDIAN);
    for (long e : routing.topkIdx()) {
      b.putLong(e);
    }
    for (float f : routing.topkWeights()) {
      b.putFloat(f);
    }
    w.putRaw(b.flip());
  }

  public static Routing readRouting(WireReader r, String field) {
    int tokens = r.readInt(field + ".tokens", 0, Integer.MAX_VALUE);
    int topk = r.readInt(field + ".topk", 1, EpConfig.MAX_TOPK);
    long n = (long) tokens * topk;
    ByteBuffer b = r.readSlice(field + ".entries", n * 12);
    long[] idx = new long[(int) n];
    float[] w = new float[(int) n];
    for (int i = 0; i < n; i++) {
      idx[i] = b.getLong();
    }
    for (int i = 0; i < n; i++) {
      w[i] = b.getFloat();
    }
    return new Routing(tokens, topk, idx, w);
  }

  /** Encoded size of a tensor, for buffer size hints. */
  public static int sizeOf(Tensor t) {
    return 9 + t.byteSize();
  }

  public static int sizeOf(HiddenStates h) {
    return sizeOf(h.x()) + 1 + (h.scales() == null ? 0 : sizeOf(h.scales()));
  }
}
