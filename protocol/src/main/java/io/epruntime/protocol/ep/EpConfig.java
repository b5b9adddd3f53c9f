package io.epruntime.protocol.ep;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.tensor.HiddenStates;

/**
 * The shape of one expert-parallel world, fixed for its lifetime and the same on every rank.
 * Rank {@code r} holds experts {@code [r * E/N, (r+1) * E/N)}.
 *
 * @param worldSize N, ranks in the world
 * @param experts E, experts in the layer; a multiple of N
 * @param hidden H, channels per token; a multiple of 128 for fp8
 * @param topk K, expert slots per token, 1..{@link #MAX_TOPK}
 * @param llMaxTokensPerRank M, the low-latency capacity per rank (0 turns LL off)
 * @param alignment per-expert received counts are rounded up to this in HT dispatch
 * @param dtype element type of dispatched hidden states
 * @param maxTokensPerRank the most tokens one rank brings to a step (HT capacity); sizes every
 *     rank's GPU buffers, whose layouts must agree, so it belongs to the world
 */
public record EpConfig(
    int worldSize, int experts, int hidden, int topk, int llMaxTokensPerRank, int alignment, DType dtype,
    int maxTokensPerRank) {

  /** {@code ep.max-tokens-per-rank} where a caller names no capacity (DeepEP's benchmark size). */
  public static final int DEFAULT_MAX_TOKENS_PER_RANK = 4096;
  /** Largest HT capacity per rank accepted. */
  public static final int MAX_TOKENS_PER_RANK_LIMIT = 1 << 20;

  /** Most expert slots per token the kernels take (DeepEP's tests go to 8; we allow 16). */
  public static final int MAX_TOPK = 16;
  /** Largest world one communicator serves here. */
  public static final int MAX_WORLD_SIZE = 1024;

  /** A world whose HT capacity is the default, or M when that is larger. */
  public EpConfig(int worldSize, int experts, int hidden, int topk, int llMaxTokensPerRank, int alignment, DType dtype) {
    this(worldSize, experts, hidden, topk, llMaxTokensPerRank, alignment, dtype,
        Math.max(DEFAULT_MAX_TOKENS_PER_RANK, llMaxTokensPerRank));
  }

  public EpConfig {
    EpArgumentException.require(worldSize >= 1 && worldSize <= MAX_WORLD_SIZE, "ep.world-size", worldSize, "1.." + MAX_WORLD_SIZE);
    EpArgumentException.require(experts >= 1, "ep.experts", experts, ">= 1");
    if (experts % worldSize != 0) {
      throw new EpArgumentException(
          "ep.experts", "ep.experts = " + experts + " is not divisible by ep.world-size = " + worldSize);
    }
    EpArgumentException.require(hidden >= 1, "ep.hidden", hidden, ">= 1");
    EpArgumentException.require(topk >= 1 && topk <= MAX_TOPK, "ep.topk", topk, "1.." + MAX_TOPK);
    EpArgumentException.require(topk <= experts, "ep.topk", topk, "<= ep.experts = " + experts);
    EpArgumentException.require(llMaxTokensPerRank >= 0, "ep.ll-max-tokens-per-rank", llMaxTokensPerRank, ">= 0");
    EpArgumentException.require(alignment >= 1, "ep.alignment", alignment, ">= 1");
    EpArgumentException.require(maxTokensPerRank >= Math.max(1, llMaxTokensPerRank) && maxTokensPerRank <= MAX_TOKENS_PER_RANK_LIMIT,
        "ep.max-tokens-per-rank", maxTokensPerRank,
        "ep.ll-max-tokens-per-rank (" + llMaxTokensPerRank + ").." + MAX_TOKENS_PER_RANK_LIMIT + ", and >= 1");
    if (dtype == null) {
      throw new EpArgumentException("ep.dtype", "ep.dtype is required; allowed: " + DType.allowedNames());
    }
    if (dtype == DType.FP8_E4M3 && hidden % DType.FP8_SCALE_BLOCK != 0) {
      throw new EpArgumentException(
          "ep.hidden", "ep.hidden = " + hidden + " must be a multiple of 128 for ep.dtype = fp8-e4m3");
    }
  }

  public int localExperts() {
    return experts / worldSize;
  }

  /** The rank that holds global expert {@code e}. */
  public int rankOf(long expert) {
    return (int) (expert / localExperts());
  }

  public int firstExpertOf(int rank) {
    return rank * localExperts();
  }

  /** Low-latency mode for a step when its largest per-rank token count fits the LL capacity. */
  public boolean lowLatencyFits(int maxTokensPerRank) {
    return llMaxTokensPerRank > 0 && maxTokensPerRank <= llMaxTokensPerRank;
  }

  public EpConfig withWorldSize(int n) {
    return new EpConfig(n, experts, hidden, topk, llMaxTokensPerRank, alignment, dtype, maxTokensPerRank);
  }

  public EpConfig withDtype(DType d) {
    return new EpConfig(worldSize, experts, hidden, topk, llMaxTokensPerRank, alignment, d, maxTokensPerRank);
  }

  public EpConfig withMaxTokensPerRank(int t) {
    return new EpConfig(worldSize, experts, hidden, topk, llMaxTokensPerRank, alignment, dtype, t);
  }

  /**
   * Checks a rank's step input against this world: dtype and hidden of {@code x}, K of the routing,
   * tokens equal on both, expert ids in {@code [-1, E)}, no expert twice in a row, weights finite
   * and non-negative. Throws {@link EpArgumentException} naming the argument and the first bad
   * element.
   */
  public void validate(HiddenStates x, Routing routing) {
    if (x.dtype() != dtype) {
      throw new EpArgumentException("x.dtype", "x.dtype = " + x.dtype() + " but the world's ep.dtype = " + dtype);
    }
    if (x.hidden() != hidden) {
      throw new EpArgumentException("x.hidden", "x has " + x.hidden() + " channels but ep.hidden = " + hidden);
    }
    if (x.tokens() != routing.tokens()) {
      throw new EpArgumentException(
          "topk_idx", "topk_idx has " + routing.tokens() + " rows but x has " + x.tokens() + " tokens");
    }
    validate(routing);
  }

  /** The routing half of {@link #validate(HiddenStates, Routing)}. */
  public void validate(Routing routing) {
    if (routing.topk() != topk) {
      throw new EpArgumentException("topk_idx", "topk_idx has K = " + routing.topk() + " but ep.topk = " + topk);
    }
    long[] idx = routing.topkIdx();
    float[] w = routing.topkWeights();
    for (int t = 0; t < routing.tokens(); t++) {
      int row = t * topk;
      for (int k = 0; k < topk; k++) {
        long e = idx[row + k];
        if (e < -1 || e >= experts) {
          throw new EpArgumentException(
              "topk_idx", "topk_idx[" + t + "][" + k + "] = " + e + " is outside [-1, " + experts + ")");
        }
        float wk = w[row + k];
        if (Float.isNaN(wk) || Float.isInfinite(wk) || wk < 0f) {
          throw new EpArgumentException(
              "topk_weights", "topk_weights[" + t + "][" + k + "] = " + wk + " must be finite and >= 0");
        }
        if (e >= 0) {
          for (int j = 0; j < k; j++) {
            if (idx[row + j] == e) {
              throw new EpArgumentException(
                  "topk_idx", "topk_idx[" + t + "] names expert " + e + " twice (slots " + j + " and " + k + ")");
            }
          }
        }
      }
    }
  }
}
