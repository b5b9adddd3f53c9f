package io.epruntime.engine;

import io.epruntime.protocol.tensor.HiddenStates;

/**
 * DeepEP's {@code calc_diff}: {@code 1 - 2 sum((x+1)(y+1)) / sum((x+1)^2 + (y+1)^2)} in double;
 * 0 for identical tensors, small when close.
 */
public final class CalcDiff {
  private CalcDiff() {}

  public static double of(float[][] expected, HiddenStates actual) {
    double xy = 0;
    double sq = 0;
    for (int t = 0; t < expected.length; t++) {
      for (int c = 0; c < expected[t].length; c++) {
        double x = expected[t][c] + 1.0;
        double y = actual.value(t, c) + 1.0;
        xy += x * y;
        sq += x * x + y * y;
      }
    }
    return sq == 0 ? 0 : 1 - 2 * xy / sq;
  }
}
