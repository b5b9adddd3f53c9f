package io.epruntime.weights;

/** Rounding to a narrower binary float format for the tests, independent of the main code's bit tricks. */
final class Rounding {
  private Rounding() {}

  /**
   * Rounds to a format with {@code bits} significand bits and smallest normal exponent
   * {@code minExp} (bf16: 8, -126; fp16: 11, -14) by scaling to its ulp and rounding half to even
   * in double, which is exact for values within the format's range.
   */
  static float toSignificand(float value, int bits, int minExp) {
    if (value == 0f) {
      return value;
    }
    int exponent = Math.max(Math.getExponent(value), minExp);
    double ulp = Math.scalb(1.0, exponent - (bits - 1));
    return (float) (Math.rint(value / ulp) * ulp);
  }
}
