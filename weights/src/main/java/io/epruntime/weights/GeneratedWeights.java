package io.epruntime.weights;

import java.nio.charset.StandardCharsets;

/**
 * The values of generated checkpoints: a pure function of {@code (seed, tensor name, index)}, so a
 * test can recompute any element without the generator. Exactly, in 64-bit two's complement
 * arithmetic ({@code >>>} is a logical shift):
 *
 * <pre>
 *   fnv(name) = FNV-1a 64 over name's UTF-8 bytes (offset 0xCBF29CE484222325, prime 0x100000001B3)
 *   mix(z)    = z ^= z >>> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >>> 27; z *= 0x94D049BB133111EB; z ^ (z >>> 31)
 *   h         = mix(mix(mix(seed) ^ fnv(name)) + index)
 *   u         = (float) (h >>> 40) * 0x1p-24f                  // exact: 24 bits, in [0, 1)
 *   value     = (u - 0.5f) * (2f / sqrtf((float) fanIn))      // fp32, round to nearest even
 * </pre>
 *
 * then rounded to the checkpoint's dtype (nearest, ties to even). That is {@code nn.Linear}'s
 * default initialisation, uniform in {@code ±1/sqrt(fan_in)}, so the weights are scaled like an
 * initialised model's; norm weights are 1, as RMSNorm initialises them.
 */
final class GeneratedWeights {
  private GeneratedWeights() {}

  /** The per-tensor half of {@code h}, computed once per tensor. */
  static long tensorKey(long seed, String name) {
    long fnv = 0xCBF29CE484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      fnv = (fnv ^ (b & 0xff)) * 0x100000001B3L;
    }
    return mix(mix(seed) ^ fnv);
  }

  /** Element {@code index} of the tensor with {@code tensorKey}, before rounding to the dtype. */
  static float value(long tensorKey, long index, int fanIn) {
    long h = mix(tensorKey + index);
    float u = (float) (h >>> 40) * 0x1p-24f;
    return (u - 0.5f) * (2f / (float) Math.sqrt((float) fanIn));
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
