package io.epruntime.protocol.tensor;

/**
 * OCP fp8 e4m3 (the "fn" variant: no infinities, max finite 448) with the conversion CUDA's
 * {@code __nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E4M3)} performs: round to nearest even,
 * saturate finite overflow to +-448, NaN to 0x7f.
 */
public final class Fp8E4M3 {
  public static final float MAX = 448f;

  private static final float[] DECODE = new float[256];

  static {
    for (int i = 0; i < 256; i++) {
      DECODE[i] = decodeSlow((byte) i);
    }
  }

  private Fp8E4M3() {}

  public static float toFloat(byte value) {
    return DECODE[value & 0xff];
  }

  public static byte fromFloat(float value) {
    if (Float.isNaN(value)) {
      return 0x7f;
    }
    int sign = Float.floatToRawIntBits(value) < 0 ? 0x80 : 0;
    float a = Math.abs(value);
    if (a >= MAX) {
      return (byte) (sign | 0x7e); // saturate to 448 (also for infinities)
    }
    int bits = Float.floatToRawIntBits(a);
    int exp = (bits >>> 23) - 127;
    int code;
    if (exp < -6) {
      // Subnormal range of e4m3: multiples of 2^-9. rint rounds half to even.
      code = (int) Math.rint(a * 512f);
    } else {
      // Normal: keep 3 mantissa bits, round to nearest even on the 20 dropped bits.
      int mant = bits & 0x7fffff;
      int kept = mant >>> 20;
      int rest = mant & 0xfffff;
      int e = exp + 7;
      if (rest > 0x80000 || (rest == 0x80000 && (kept & 1) == 1)) {
        kept++;
        if (kept == 8) {
          kept = 0;
          e++;
        }
      }
      code = (e << 3) | kept;
      if (code > 0x7e) {
        code = 0x7e;
      }
    }
    return (byte) (sign | code);
  }

  private static float decodeSlow(byte b) {
    int v = b & 0xff;
    int sign = (v & 0x80) != 0 ? -1 : 1;
    int e = (v >>> 3) & 0xf;
    int m = v & 0x7;
    if (e == 0xf && m == 0x7) {
      return Float.NaN;
    }
    if (e == 0) {
      return sign * m * 0x1p-9f;
    }
    return sign * (1f + m / 8f) * (float) Math.pow(2, e - 7);
  }
}
