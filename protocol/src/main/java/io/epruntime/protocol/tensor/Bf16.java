package io.epruntime.protocol.tensor;

/**
 * bfloat16 conversions with the rounding CUDA's {@code __float2bfloat16_rn} uses (round to nearest,
 * ties to even; NaN stays a quiet NaN), so the CPU and GPU backends agree bit for bit.
 */
public final class Bf16 {
  private Bf16() {}

  public static short fromFloat(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) | 0x0040); // quiet NaN, sign kept
    }
    int roundingBias = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + roundingBias) >>> 16);
  }

  public static float toFloat(short value) {
    return Float.intBitsToFloat((value & 0xffff) << 16);
  }

  /** Rounds a float to the nearest bf16 value, as a float. */
  public static float round(float value) {
    return toFloat(fromFloat(value));
  }
}
