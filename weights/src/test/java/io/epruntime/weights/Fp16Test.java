package io.epruntime.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Fp16Test {

  @Test
  void everyHalfWidensExactlyAndNarrowsBack() {
    for (int bits = 0; bits < 0x10000; bits++) {
      short h = (short) bits;
      float f = Fp16.toFloat(h);
      if (Float.isNaN(f)) {
        assertEquals(0x7c00, bits & 0x7c00, "NaN only from exponent 31");
        assertEquals(true, Float.isNaN(Fp16.toFloat(Fp16.fromFloat(f))));
        continue;
      }
      assertEquals(bits, Fp16.fromFloat(f) & 0xffff, "half 0x" + Integer.toHexString(bits));
    }
  }

  @Test
  void knownValues() {
    assertEquals(1f, Fp16.toFloat((short) 0x3c00));
    assertEquals(65504f, Fp16.toFloat((short) 0x7bff));
    assertEquals(0x1p-24f, Fp16.toFloat((short) 0x0001));
    assertEquals(0x1p-14f, Fp16.toFloat((short) 0x0400));
    assertEquals(Float.NEGATIVE_INFINITY, Fp16.toFloat((short) 0xfc00));
    assertEquals(0x7c00, Fp16.fromFloat(65520f) & 0xffff, "the tie above 65504 rounds to infinity");
    assertEquals(0x7bff, Fp16.fromFloat(65519.99f) & 0xffff);
    assertEquals(0x0000, Fp16.fromFloat(0x1p-25f) & 0xffff, "a tie at half the smallest subnormal rounds to even (0)");
    assertEquals(0x0003, Fp16.fromFloat(0x1.8p-23f) & 0xffff, "3 * 2^-24 is exact");
    assertEquals(0x0002, Fp16.fromFloat(0x1.4p-23f) & 0xffff, "2.5 * 2^-24 ties to even (2)");
    assertEquals(0x3c00, Fp16.fromFloat(1f + 0x1p-11f) & 0xffff, "1 + half an ulp ties to even (1)");
    assertEquals(0x3c02, Fp16.fromFloat(1f + 0x3p-11f) & 0xffff, "1 + 1.5 ulps ties to even (1 + 2 ulps)");
    assertEquals(0x8000, Fp16.fromFloat(-0f) & 0xffff);
  }

  /** Against rounding by scaling to the half's ulp in double, half to even. */
  @Test
  void narrowingRoundsToNearestEven() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      float f = Float.intBitsToFloat(rnd.nextInt(0x30000000, 0x47000000)) * (rnd.nextBoolean() ? 1 : -1);
      float expected = Rounding.toSignificand(f, 11, -14);
      assertEquals(expected, Fp16.toFloat(Fp16.fromFloat(f)), "f = " + f);
    }
  }
}
