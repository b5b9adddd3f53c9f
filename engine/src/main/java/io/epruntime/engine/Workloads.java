package io.epruntime.engine;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.Bf16;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded random step inputs for tests, the CLI and benchmarks. The same (config, counts, seed)
 * always gives the same bytes. Rows of {@code topk_idx} are duplicate-free, about one slot in ten
 * is masked to -1, weights are positive, values lie in [-1, 1) (fp8: quantised per 128 channels).
 */
public final class Workloads {
  /** Share of top-k slots masked to -1. */
  public static final double MASKED_SLOT_SHARE = 0.1;

  private Workloads() {}

  public static List<RankInput> random(EpConfig config, int[] tokensPerRank, long seed) {
    return random(config, tokensPerRank, seed, MASKED_SLOT_SHARE);
  }

  /** As {@link #random(EpConfig, int[], long)} with a chosen share of masked slots (0 for none, as in DeepEP's HT benchmark). */
  public static List<RankInput> random(EpConfig config, int[] tokensPerRank, long seed, double maskedSlotShare) {
    EpArgumentException.require(maskedSlotShare >= 0 && maskedSlotShare < 1, "maskedSlotShare", maskedSlotShare, "[0, 1)");
    if (tokensPerRank == null || tokensPerRank.length != config.worldSize()) {
      throw new EpArgumentException("tokensPerRank", "tokensPerRank needs " + config.worldSize() + " entries, got "
          + (tokensPerRank == null ? "null" : tokensPerRank.length));
    }
    List<RankInput> out = new ArrayList<>();
    for (int r = 0; r < tokensPerRank.length; r++) {
      EpArgumentException.require(tokensPerRank[r] >= 0, "tokensPerRank[" + r + "]", tokensPerRank[r], ">= 0");
      SplittableRandom rnd = new SplittableRandom(SeededWeights.mix(seed + r));
      out.add(new RankInput(hidden(config, tokensPerRank[r], rnd), routing(config, tokensPerRank[r], rnd, maskedSlotShare)));
    }
    return out;
  }

  /** Random routing for {@code tokens} tokens: distinct experts per row, some -1, positive weights. */
  public static Routing routing(EpConfig config, int tokens, SplittableRandom rnd) {
    return routing(config, tokens, rnd, MASKED_SLOT_SHARE);
  }

  /** Random routing with the given share of slots masked to -1. */
  public static Routing routing(EpConfig config, int tokens, SplittableRandom rnd, double maskedSlotShare) {
    int k = config.topk();
    long[] idx = new long[tokens * k];
    float[] w = new float[tokens * k];
    for (int t = 0; t < tokens; t++) {
      for (int s = 0; s < k; s++) {
        if (rnd.nextDouble() < maskedSlotShare) {
          idx[t * k + s] = -1;
          continue;
        }
        long e;
        do {
          e = rnd.nextInt(config.experts());
        } while (contains(idx, t * k, s, e));
        idx[t * k + s] = e;
        w[t * k + s] = (float) (0.05 + rnd.nextDouble());
      }
    }
    return new Routing(tokens, k, idx, w);
  }

  private static boolean contains(long[] idx, int row, int upTo, long e) {
    for (int j = 0; j < upTo; j++) {
      if (idx[row + j] == e) {
        return true;
      }
    }
    return false;
  }

  /** Random hidden states in the config's dtype. */
  public static HiddenStates hidden(EpConfig config, int tokens, SplittableRandom rnd) {
    int h = config.hidden();
    if (config.dtype() == DType.FP8_E4M3) {
      float[][] rows = new float[tokens][h];
      for (float[] row : rows) {
        for (int c = 0; c < h; c++) {
          row[c] = (float) (rnd.nextDouble() * 2 - 1);
        }
      }
      return HiddenStates.quantizeFp8(rows, h);
    }
    Tensor x = Tensor.allocate(config.dtype(), tokens, h);
    ByteBuffer data = x.data();
    boolean bf16 = config.dtype() == DType.BF16;
    for (int i = 0; i < tokens * h; i++) {
      // 24 random bits scaled into [-1, 1): exact in fp32; bf16 keeps the top 8 mantissa bits.
      float v = (rnd.nextInt(1 << 24) - (1 << 23)) * 0x1p-23f;
      if (bf16) {
        data.putShort(2 * i, Bf16.fromFloat(v));
      } else {
        data.putFloat(4 * i, v);
      }
    }
    return HiddenStates.of(x);
  }
}
