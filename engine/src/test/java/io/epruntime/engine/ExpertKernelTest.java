package io.epruntime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The expert functions every backend must reproduce. */
class ExpertKernelTest {

  @Test
  void seededWeightsArePureBoundedAndDependOnEveryInput() {
    float w = SeededWeights.value(7, 3, SeededWeights.W1, 12345, 1024);
    assertEquals(Float.floatToIntBits(w), Float.floatToIntBits(SeededWeights.value(7, 3, SeededWeights.W1, 12345, 1024)));
    assertNotEquals(w, SeededWeights.value(8, 3, SeededWeights.W1, 12345, 1024), "seed");
    assertNotEquals(w, SeededWeights.value(7, 4, SeededWeights.W1, 12345, 1024), "expert");
    assertNotEquals(w, SeededWeights.value(7, 3, SeededWeights.W3, 12345, 1024), "matrix");
    assertNotEquals(w, SeededWeights.value(7, 3, SeededWeights.W1, 12346, 1024), "index");
    double sum = 0;
    float bound = 1f / (float) Math.sqrt(256);
    for (int i = 0; i < 100_000; i++) {
      float v = SeededWeights.value(1, 0, SeededWeights.W2, i, 256);
      assertTrue(v >= -bound && v < bound, "value " + v + " within [-1/sqrt(fanIn), 1/sqrt(fanIn))");
      sum += v;
    }
    assertTrue(Math.abs(sum / 100_000) < 0.01 * bound, "mean near zero: " + sum / 100_000);
  }

  @Test
  void seededWeightFollowsTheDocumentedFormula() {
    long seed = -5;
    int expert = 9;
    long index = 777;
    long h = mix(mix(mix(seed) + expert) + ((2L << 48) ^ index));
    float want = ((float) (h >>> 40) / 16777216f - 0.5f) * (2f / (float) Math.sqrt(64.0));
    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(SeededWeights.value(seed, expert, SeededWeights.W2, index, 64)));
  }

  /** splitmix64's finaliser, restated from its published constants. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Test
  void swigluMatchesAPlainDoublePrecisionStatement() {
    int h = 48;
    int inter = 20;
    EpConfig c = new EpConfig(2, 8, h, 2, 4, 1, DType.FP32);
    ExpertKernel kernel = ExpertKernel.of(ExpertKernelSpec.swiglu(11, inter), c);
    float[] x = new float[h];
    SplittableRandom rnd = new SplittableRandom(3);
    for (int i = 0; i < h; i++) {
      x[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    float[] y = new float[h];
    kernel.apply(5, x, y);
    double[] act = new double[inter];
    for (int i = 0; i < inter; i++) {
      double a = 0;
      double b = 0;
      for (int j = 0; j < h; j++) {
        a += SeededWeights.value(11, 5, SeededWeights.W1, (long) i * h + j, h) * (double) x[j];
        b += SeededWeights.value(11, 5, SeededWeights.W3, (long) i * h + j, h) * (double) x[j];
      }
      act[i] = a / (1 + Math.exp(-a)) * b;
    }
    for (int j = 0; j < h; j++) {
      double want = 0;
      for (int i = 0; i < inter; i++) {
        want += SeededWeights.value(11, 5, SeededWeights.W2, (long) j * inter + i, inter) * act[i];
      }
      assertEquals(want, y[j], 1e-5 + 1e-4 * Math.abs(want), "channel " + j);
    }
  }

  @Test
  void swigluStepsAgreeBetweenHtAndLlWithinBf16Tolerance() {
    EpConfig c = new EpConfig(4, 16, 128, 4, 32, 1, DType.BF16);
    ReferenceEngine engine = new ReferenceEngine(c);
    List<RankInput> in = Workloads.random(c, new int[] {32, 3, 0, 17}, 9);
    ExpertKernel kernel = ExpertKernel.of(ExpertKernelSpec.swiglu(2, 64), c);
    List<HiddenStates> ht = engine.runStep(StepMode.HT, kernel, Fixtures.xs(in), Fixtures.routings(in));
    List<HiddenStates> ll = engine.runStep(StepMode.LL, kernel, Fixtures.xs(in), Fixtures.routings(in));
    for (int r = 0; r < 4; r++) {
      double diff = CalcDiff.of(Fixtures.values(ht.get(r)), ll.get(r));
      assertTrue(diff < 1e-4, "rank " + r + " calc_diff " + diff);
    }
  }

  @Test
  void scaleIsExactInFp32() {
    ExpertKernel k = ExpertKernel.scale(3, 256);
    float[] out = new float[3];
    k.apply(37, new float[] {1f, -2.5f, 0.1f}, out);
    float f = 1f + 37f / 256f;
    assertEquals(1f * f, out[0]);
    assertEquals(-2.5f * f, out[1]);
    assertEquals(0.1f * f, out[2]);
  }
}
