package io.epruntime.engine;

import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code y = W2 (silu(W1 x) * (W3 x))} with {@code silu(v) = v / (1 + exp(-v))}, weights from
 * {@link SeededWeights}. Dot products accumulate in fp32 in ascending index order. Weights are
 * built once per expert on first use and kept (3 * I * H floats per expert).
 */
final class SwigluKernel implements ExpertKernel {
  private final long seed;
  private final int hidden;
  private final int intermediate;
  private final ConcurrentHashMap<Integer, float[][]> weights = new ConcurrentHashMap<>();

  SwigluKernel(long seed, int hidden, int intermediate) {
    this.seed = seed;
    this.hidden = hidden;
    this.intermediate = intermediate;
  }

  @Override
  public void apply(int globalExpert, float[] in, float[] out) {
    float[][] w = weights.computeIfAbsent(globalExpert, this::build);
    float[] w1 = w[0];
    float[] w3 = w[1];
    float[] w2 = w[2];
    float[] act = new float[intermediate];
    for (int i = 0; i < intermediate; i++) {
      float a = 0f;
      float b = 0f;
      int row = i * hidden;
      for (int c = 0; c < hidden; c++) {
        a += w1[row + c] * in[c];
        b += w3[row + c] * in[c];
      }
      float silu = a / (1f + (float) Math.exp(-a));
      act[i] = silu * b;
    }
    for (int c = 0; c < hidden; c++) {
      float y = 0f;
      int row = c * intermediate;
      for (int i = 0; i < intermediate; i++) {
        y += w2[row + i] * act[i];
      }
      out[c] = y;
    }
  }

  private float[][] build(int expert) {
    float[] w1 = new float[intermediate * hidden];
    float[] w3 = new float[intermediate * hidden];
    float[] w2 = new float[hidden * intermediate];
    for (int i = 0; i < w1.length; i++) {
      w1[i] = SeededWeights.value(seed, expert, SeededWeights.W1, i, hidden);
      w3[i] = SeededWeights.value(seed, expert, SeededWeights.W3, i, hidden);
      w2[i] = SeededWeights.value(seed, expert, SeededWeights.W2, i, intermediate);
    }
    return new float[][] {w1, w3, w2};
  }
}
