package io.epruntime.engine;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.tensor.Bf16;
import io.epruntime.protocol.tensor.Fp8E4M3;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Row-at-a-time conversions between raw little-endian bytes and fp32, written for the hot loops:
 * bf16 is widened with shifts on ints read two channels at a time, no boxing, no per-element
 * virtual calls. fp8 values are {@code code * scale} in fp32 (one rounding), as on the GPU.
 */
final class RowCodec {
  /**
   * Two bf16 channels per little-endian int, straight on a heap buffer's array: one bounds check
   * per pair, none of a ByteBuffer's per-call checks. Direct buffers take the ByteBuffer path.
   */
  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private RowCodec() {}

  /**
   * Decodes one row of {@code hidden} channels at byte {@code offset} of {@code data} into
   * {@code out}. For fp8, {@code scales} holds the row's {@code hidden/128} fp32 scales from byte
   * {@code scaleOffset}.
   */
  static void decode(DType dtype, ByteBuffer data, int offset, int hidden, ByteBuffer scales, int scaleOffset, float[] out) {
    switch (dtype) {
      case BF16:
        decodeBf16(data, offset, hidden, out);
        break;
      case FP32:
        for (int c = 0; c < hidden; c++) {
          out[c] = data.getFloat(offset + 4 * c);
        }
        break;
      default:
        for (int c = 0; c < hidden; c++) {
          float scale = scales.getFloat(scaleOffset + (c / DType.FP8_SCALE_BLOCK) * Float.BYTES);
          out[c] = Fp8E4M3.toFloat(data.get(offset + c)) * scale;
        }
    }
  }

  private static void decodeBf16(ByteBuffer data, int offset, int hidden, float[] out) {
    if (data.hasArray()) {
      byte[] a = data.array();
      int base = data.arrayOffset() + offset;
      int c = 0;
      for (; c + 2 <= hidden; c += 2) {
        int v = (int) INTS.get(a, base + 2 * c);
        out[c] = Float.intBitsToFloat(v << 16);
        out[c + 1] = Float.intBitsToFloat(v & 0xffff0000);
      }
      if (c < hidden) {
        out[c] = Float.intBitsToFloat(data.getShort(offset + 2 * c) << 16);
      }
      return;
    }
    for (int c = 0; c < hidden; c++) {
      out[c] = Float.intBitsToFloat(data.getShort(offset + 2 * c) << 16);
    }
  }

  /**
   * {@code acc[c] += row[c]} for one bf16 or fp32 row (combine inputs are never fp8), in fp32, one
   * rounding per add.
   */
  static void accumulate(DType dtype, ByteBuffer data, int offset, int hidden, float[] acc) {
    if (dtype == DType.FP32) {
      for (int c = 0; c < hidden; c++) {
        acc[c] += data.getFloat(offset + 4 * c);
      }
      return;
    }
    if (data.hasArray()) {
      byte[] a = data.array();
      int base = data.arrayOffset() + offset;
      int c = 0;
      for (; c + 2 <= hidden; c += 2) {
        int v = (int) INTS.get(a, base + 2 * c);
        acc[c] += Float.intBitsToFloat(v << 16);
        acc[c + 1] += Float.intBitsToFloat(v & 0xffff0000);
      }
      if (c < hidden) {
        acc[c] += Float.intBitsToFloat(data.getShort(offset + 2 * c) << 16);
      }
      return;
    }
    for (int c = 0; c < hidden; c++) {
      acc[c] += Float.intBitsToFloat(data.getShort(offset + 2 * c) << 16);
    }
  }

  /**
   * Encodes {@code in} into one bf16 or fp32 row at byte {@code offset} (bf16: round to nearest
   * even, as {@code __float2bfloat16_rn}).
   */
  static void encode(DType dtype, float[] in, int hidden, ByteBuffer data, int offset) {
    if (dtype == DType.FP32) {
      for (int c = 0; c < hidden; c++) {
        data.putFloat(offset + 4 * c, in[c]);
      }
      return;
    }
    if (dtype != DType.BF16) {
      throw new IllegalStateException("rows are encoded only in the combine dtypes, not " + dtype);
    }
    if (data.hasArray() && !data.isReadOnly()) {
      byte[] a = data.array();
      int base = data.arrayOffset() + offset;
      int c = 0;
      for (; c + 2 <= hidden; c += 2) {
        INTS.set(a, base + 2 * c, (Bf16.fromFloat(in[c]) & 0xffff) | (Bf16.fromFloat(in[c + 1]) << 16));
      }
      if (c < hidden) {
        data.putShort(offset + 2 * c, Bf16.fromFloat(in[c]));
      }
      return;
    }
    for (int c = 0; c < hidden; c++) {
      data.putShort(offset + 2 * c, Bf16.fromFloat(in[c]));
    }
  }
}
