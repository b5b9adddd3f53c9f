package io.epruntime.weights;

import java.nio.charset.StandardCharsets;

/**
 * The generator's documented values recomputed without its code (see {@link GeneratedWeights}'s
 * formula): its own hash, and {@link Rounding} to bf16 and fp16.
 */
final class IndependentWeights {
  private IndependentWeights() {}

  /** The element of tensor {@code name} at {@code index} as stored in {@code dtype}, widened to float. */
  static float expected(long seed, String name, long index, int fanIn, TensorDType dtype) {
    long fnv = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      fnv ^= b & 0xff;
      fnv *= 0x100000001b3L;
    }
    long h = splitmix(splitmix(splitmix(seed) ^ fnv) + index);
    float u = (h >>> 40) / 16777216f;
    float bound = 2f / (float) Math.sqrt((float) fanIn);
    float value = (u - 0.5f) * bound;
    return switch (dtype) {
      case F32 -> value;
      case BF16 -> Rounding.toSignificand(value, 8, -126);
      case F16 -> Rounding.toSignificand(value, 11, -14);
      default -> throw new AssertionError(dtype);
    };
  }

  private static long splitmix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
