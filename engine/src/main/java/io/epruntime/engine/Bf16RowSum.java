package io.epruntime.engine;

import io.epruntime.protocol.tensor.Bf16;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * HT combine's inner loop for bf16 rows on heap arrays, fused: for each pair of channels it adds
 * the token's rows (ascending source rank) and the bias in registers, rounds once and stores, so
 * no fp32 accumulator row goes through memory. The additions per channel are exactly those of
 * {@code acc = 0f; acc += row_0; ...; acc += bias}, so the bits equal the general path's.
 */
final class Bf16RowSum {
  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private Bf16RowSum() {}

  /**
   * Writes to {@code out[outOffset..]} the bf16 rounding of the sum of {@code count} bf16 rows,
   * row {@code j} at {@code arrays[j][offsets[j]..]}, plus the bias row at
   * {@code bias[biasOffset..]} when {@code bias} is not null.
   */
  static void sum(byte[][] arrays, int[] offsets, int count, byte[] bias, int biasOffset, int hidden, byte[] out,
      int outOffset) {
    int c = 0;
    for (; c + 2 <= hidden; c += 2) {
      float lo = 0f;
      float hi = 0f;
      for (int j = 0; j < count; j++) {
        int v = (int) INTS.get(arrays[j], offsets[j] + 2 * c);
        lo += Float.intBitsToFloat(v << 16);
        hi += Float.intBitsToFloat(v & 0xffff0000);
      }
      if (bias != null) {
        int v = (int) INTS.get(bias, biasOffset + 2 * c);
        lo += Float.intBitsToFloat(v << 16);
        hi += Float.intBitsToFloat(v & 0xffff0000);
      }
      INTS.set(out, outOffset + 2 * c, (Bf16.fromFloat(lo) & 0xffff) | (Bf16.fromFloat(hi) << 16));
    }
    if (c < hidden) {
      float last = 0f;
      for (int j = 0; j < count; j++) {
        last += element(arrays[j], offsets[j] + 2 * c);
      }
      if (bias != null) {
        last += element(bias, biasOffset + 2 * c);
      }
      short s = Bf16.fromFloat(last);
      out[outOffset + 2 * c] = (byte) s;
      out[outOffset + 2 * c + 1] = (byte) (s >> 8);
    }
  }

  private static float element(byte[] a, int at) {
    return Float.intBitsToFloat(((a[at] & 0xff) | (a[at + 1] & 0xff) << 8) << 16);
  }
}
