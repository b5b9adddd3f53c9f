package io.epruntime.engine;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.Bf16;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A deliberately plain re-statement of ARCHITECTURE.md §1, element by element, sharing no code
 * with the engine beyond the protocol's number formats. Slow on purpose; used to check the engine
 * bit for bit. Published in the test-jar for other modules.
 */
public final class NaiveOracle {
  private NaiveOracle() {}

  /** An expert function applied channel by channel (identity and scale are). */
  @FunctionalInterface
  public interface ElementKernel {
    float apply(int expert, float value);

    static ElementKernel identity() {
      return (e, v) -> v;
    }

    static ElementKernel scale(int experts) {
      return (e, v) -> v * (1f + (float) e / (float) experts);
    }
  }

  /** tokens_per_rank, tokens_per_expert, token_in_rank by mapping experts to ranks and de-duplicating. */
  public static DispatchLayout layout(EpConfig c, Routing r) {
    int n = c.worldSize();
    int[] perRank = new int[n];
    int[] perExpert = new int[c.experts()];
    boolean[] inRank = new boolean[r.tokens() * n];
    for (int t = 0; t < r.tokens(); t++) {
      Set<Integer> ranks = new LinkedHashSet<>();
      for (int k = 0; k < r.topk(); k++) {
        long e = r.expert(t, k);
        if (e != -1) {
          perExpert[(int) e] += 1;
          ranks.add((int) (e / (c.experts() / n)));
        }
      }
      for (int rank : ranks) {
        perRank[rank] += 1;
        inRank[t * n + rank] = true;
      }
    }
    return new DispatchLayout(perRank, perExpert, inRank);
  }

  /** Whether any of token t's experts lives on rank. */
  public static boolean goesTo(EpConfig c, Routing r, int t, int rank) {
    for (int k = 0; k < r.topk(); k++) {
      long e = r.expert(t, k);
      if (e != -1 && e / c.localExperts() == rank) {
        return true;
      }
    }
    return false;
  }

  /** The (source rank, source token) of every row {@code dest} receives in HT dispatch, in order. */
  public static List<int[]> htReceivedRows(EpConfig c, List<Routing> routing, int dest) {
    List<int[]> rows = new ArrayList<>();
    for (int s = 0; s < c.worldSize(); s++) {
      for (int t = 0; t < routing.get(s).tokens(); t++) {
        if (goesTo(c, routing.get(s), t, dest)) {
          rows.add(new int[] {s, t});
        }
      }
    }
    return rows;
  }

  public static float roundTo(DType combine, float v) {
    return combine == DType.BF16 ? Bf16.round(v) : v;
  }

  /**
   * The HT step's output of rank {@code home}: per token, for each rank ascending that holds one of
   * its experts, that rank's weighted partial (fma over its slots ascending, rounded), summed in fp32,
   * plus bias, rounded once.
   */
  public static float[][] htStep(EpConfig c, HiddenStates x, Routing r, ElementKernel f, HiddenStates bias) {
    DType combine = c.dtype().combineDType();
    float[][] out = new float[x.tokens()][c.hidden()];
    for (int t = 0; t < x.tokens(); t++) {
      boolean[] dest = new boolean[c.worldSize()];
      for (int rank = 0; rank < c.worldSize(); rank++) {
        dest[rank] = goesTo(c, r, t, rank);
      }
      for (int ch = 0; ch < c.hidden(); ch++) {
        float v = x.value(t, ch);
        float acc = 0f;
        for (int rank = 0; rank < c.worldSize(); rank++) {
          if (!dest[rank]) {
            continue;
          }
          float part = 0f;
          for (int k = 0; k < r.topk(); k++) {
            long e = r.expert(t, k);
            if (e != -1 && e / c.localExperts() == rank) {
              part = Math.fma(r.weight(t, k), f.apply((int) e, v), part);
            }
          }
          acc += roundTo(combine, part);
        }
        if (bias != null) {
          acc += bias.value(t, ch);
        }
        out[t][ch] = roundTo(combine, acc);
      }
    }
    return out;
  }

  /** The LL step's output: per token, fma over slots ascending of w times the rounded expert output. */
  public static float[][] llStep(EpConfig c, HiddenStates x, Routing r, ElementKernel f) {
    DType combine = c.dtype().combineDType();
    float[][] out = new float[x.tokens()][c.hidden()];
    for (int t = 0; t < x.tokens(); t++) {
      for (int ch = 0; ch < c.hidden(); ch++) {
        float v = x.value(t, ch);
        float acc = 0f;
        for (int k = 0; k < r.topk(); k++) {
          long e = r.expert(t, k);
          if (e != -1) {
            acc = Math.fma(r.weight(t, k), roundTo(combine, f.apply((int) e, v)), acc);
          }
        }
        out[t][ch] = roundTo(combine, acc);
      }
    }
    return out;
  }

  /** Describes the first element where {@code actual} differs in bits from {@code expected}, or null. */
  public static String firstMismatch(float[][] expected, HiddenStates actual) {
    if (actual.tokens() != expected.length) {
      return "rows: expected " + expected.length + ", got " + actual.tokens();
    }
    for (int t = 0; t < expected.length; t++) {
      for (int ch = 0; ch < expected[t].length; ch++) {
        float a = actual.value(t, ch);
        if (Float.floatToIntBits(a) != Float.floatToIntBits(expected[t][ch])) {
          return "[" + t + "][" + ch + "]: expected " + expected[t][ch] + ", got " + a;
        }
      }
    }
    return null;
  }
}
