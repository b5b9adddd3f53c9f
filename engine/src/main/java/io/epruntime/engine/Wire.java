package io.epruntime.engine;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The payload header every {@link RankEngine} message starts with, and the helpers that lay out
 * the sections after it. All little-endian; the layout is documented on {@link RankEngine}.
 */
final class Wire {
  /** "EPW1" read as a little-endian int. */
  static final int MAGIC = 0x31575045;
  static final short VERSION = 1;
  static final int HEADER_BYTES = 32;

  static final short HT_DISPATCH = 1;
  static final short HT_CACHED_DISPATCH = 2;
  static final short HT_COMBINE = 3;
  static final short LL_DISPATCH = 4;
  static final short LL_COMBINE = 5;

  /** Flag: an HT dispatch payload to the sender itself carries the sender's token-in-rank map. */
  static final int FLAG_SENDER_LAYOUT = 1;

  private Wire() {}

  /** A decoded header; {@code aux} is the sender's (or, for combine, the home rank's) token count. */
  record Header(int kind, int srcRank, int dstRank, int rows, int hidden, DType dtype, int flags, int topk, int aux) {}

  static ByteBuffer allocate(PayloadAllocator allocator, long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new EpArgumentException("x", "one payload would need " + bytes + " bytes; at most 2 GiB per rank pair");
    }
    ByteBuffer b = allocator.allocate((int) bytes);
    if (b.position() != 0 || b.limit() != bytes) {
      throw new IllegalStateException("the payload allocator returned " + b + " for " + bytes + " bytes");
    }
    return b.order(ByteOrder.LITTLE_ENDIAN);
  }

  static void writeHeader(ByteBuffer b, Header h) {
    b.putInt(0, MAGIC);
    b.putShort(4, VERSION);
    b.putShort(6, (short) h.kind());
    b.putInt(8, h.srcRank());
    b.putInt(12, h.dstRank());
    b.putInt(16, h.rows());
    b.putInt(20, h.hidden());
    b.put(24, (byte) h.dtype().ordinal());
    b.put(25, (byte) h.flags());
    b.putShort(26, (short) h.topk());
    b.putInt(28, h.aux());
  }

  /**
   * Reads and checks the header of {@code b}, which must have come from {@code expectedSrc} for
   * {@code expectedDst} with the given kind, width and dtype. {@code argument} names the array slot
   * in errors.
   */
  static Header readHeader(
      ByteBuffer b, String argument, int kind, int expectedSrc, int expectedDst, int hidden, DType dtype) {
    if (b == null) {
      throw new EpArgumentException(argument, argument + " is missing (null)");
    }
    ByteBuffer l = b.order() == ByteOrder.LITTLE_ENDIAN ? b : b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (l.limit() < HEADER_BYTES || l.getInt(0) != MAGIC || l.getShort(4) != VERSION) {
      throw new EpArgumentException(argument, argument + " is not an ep-engine payload of version " + VERSION);
    }
    int dtypeCode = l.get(24);
    Header h = new Header(
        l.getShort(6), l.getInt(8), l.getInt(12), l.getInt(16), l.getInt(20),
        dtypeCode >= 0 && dtypeCode < DType.values().length ? DType.values()[dtypeCode] : null,
        l.get(25), l.getShort(26), l.getInt(28));
    if (h.kind() != kind) {
      throw new EpArgumentException(argument, argument + " holds a payload of kind " + h.kind() + ", expected " + kind);
    }
    if (h.srcRank() != expectedSrc || h.dstRank() != expectedDst) {
      throw new EpArgumentException(argument, argument + " goes from rank " + h.srcRank() + " to rank " + h.dstRank()
          + ", expected from " + expectedSrc + " to " + expectedDst);
    }
    if (h.hidden() != hidden || h.dtype() != dtype || h.rows() < 0 || h.aux() < 0) {
      throw new EpArgumentException(argument, argument + " carries " + h.rows() + " rows of " + h.dtype() + " x " + h.hidden()
          + ", expected " + dtype + " x " + hidden);
    }
    return h;
  }

  static void putInts(ByteBuffer b, int offset, int[] values, int count) {
    b.position(offset);
    b.asIntBuffer().put(values, 0, count);
    b.position(0);
  }

  static int[] getInts(ByteBuffer b, int offset, int count) {
    int[] out = new int[count];
    ByteBuffer d = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    d.position(offset);
    d.asIntBuffer().get(out);
    return out;
  }

  static void putFloats(ByteBuffer b, int offset, float[] values, int count) {
    b.position(offset);
    b.asFloatBuffer().put(values, 0, count);
    b.position(0);
  }

  static float[] getFloats(ByteBuffer b, int offset, int count) {
    float[] out = new float[count];
    ByteBuffer d = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    d.position(offset);
    d.asFloatBuffer().get(out);
    return out;
  }

  /** Bytes of one row's fp8 scales, 0 for other dtypes. */
  static int scaleBytes(DType dtype, int hidden) {
    return dtype == DType.FP8_E4M3 ? hidden / DType.FP8_SCALE_BLOCK * Float.BYTES : 0;
  }

  /** Checks that {@code b} holds at least {@code needed} bytes. */
  static void requireBytes(ByteBuffer b, long needed, String argument) {
    if (b.limit() < needed) {
      throw new EpArgumentException(argument, argument + " holds " + b.limit() + " bytes, its header promises " + needed);
    }
  }
}
