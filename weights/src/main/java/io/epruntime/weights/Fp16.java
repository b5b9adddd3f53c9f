package io.epruntime.weights;

/**
 * IEEE 754 binary16 conversions (Java 17 has no {@code Float.float16ToFloat}). Narrowing rounds to
 * nearest, ties to even, as PyTorch's {@code tensor.half()} and CUDA's {@code __float2half_rn} do,
 * with subnormals, overflow to infinity and NaN kept a quiet NaN.
 */
final class Fp16 {
  private Fp16() {}

  /** The exact float value of half {@code h}. */
  static float toFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      // Subnormal (or zero): mantissa * 2^-24, exact in float.
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  /** The half nearest to {@code f} (ties to even). */
  static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int magnitude = bits & 0x7fffffff;
    if (magnitude > 0x7f800000) {
      return (short) (sign | 0x7e00 | ((magnitude >>> 13) & 0x3ff)); // quiet NaN
    }
    if (magnitude >= 0x477ff000) {
      return (short) (sign | 0x7c00); // rounds to beyond 65504: infinity
    }
    if (magnitude < 0x38800000) {
      // Below the smallest normal half (2^-14): the result is a multiple of 2^-24, which the
      // float addition below rounds to nearest-even for us (the sum's last bit is 2^-24's place).
      float rounded = Float.intBitsToFloat(magnitude) + 0.5f;
      return (short) (sign | (Float.floatToRawIntBits(rounded) - 0x3f000000));
    }
    int halfBits = magnitude - (112 << 23); // rebias the exponent, mantissa still 23 bits
    int roundingBias = 0xfff + ((halfBits >>> 13) & 1);
    return (short) (sign | ((halfBits + roundingBias) >>> 13));
  }
}
