package io.epruntime.engine;

/**
 * Expert weights as a pure function of {@code (seed, expert, matrix, index)}, so every node and
 * backend builds the same weights without shipping them. Exactly, in 64-bit two's complement
 * arithmetic ({@code >>>} is a logical shift):
 *
 * <pre>
 *   mix(z)  = z ^= z >>> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >>> 27; z *= 0x94D049BB133111EB; z ^ (z >>> 31)
 *   h       = mix(mix(mix(seed) + expert) + ((matrix &lt;&lt; 48) ^ index))
 *   u       = (float) (h >>> 40) * 0x1p-24f                  // exact: 24 bits, in [0, 1)
 *   value   = (u - 0.5f) * (2f / sqrtf((float) fanIn))      // sqrtf and / correctly rounded
 * </pre>
 *
 * ({@code mix} is splitmix64's finaliser.) {@code u - 0.5f} is exact, so the only roundings are
 * the square root, the division and the final product, all IEEE round-to-nearest-even in fp32;
 * CUDA's {@code sqrtf}, {@code /} and {@code *} (without fast-math) give the same bits.
 * Matrices: 0 = W1 {@code [I, H]}, 1 = W3 {@code [I, H]} (fan-in H, index {@code i*H + h}),
 * 2 = W2 {@code [H, I]} (fan-in I, index {@code h*I + i}).
 */
public final class SeededWeights {
  public static final int W1 = 0;
  public static final int W3 = 1;
  public static final int W2 = 2;

  private SeededWeights() {}

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The weight at {@code index} of {@code matrix} of {@code expert}, for a matrix with this fan-in. */
  public static float value(long seed, int expert, int matrix, long index, int fanIn) {
    long h = mix(mix(mix(seed) + expert) + (((long) matrix << 48) ^ index));
    float u = (float) (h >>> 40) * 0x1p-24f;
    return (u - 0.5f) * (2f / (float) Math.sqrt((float) fanIn));
  }
}
