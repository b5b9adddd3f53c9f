package io.epruntime.protocol.ep;

import io.epruntime.protocol.EpArgumentException;

/**
 * A rank's router choices for one step: {@code topkIdx [T, K]} (global expert ids, {@code -1} = no
 * expert) and {@code topkWeights [T, K]}, both row-major and flat so hot loops never box.
 * Only shapes are checked here; {@code EpConfig#validate(Routing)} checks ids against the world.
 */
public record Routing(int tokens, int topk, long[] topkIdx, float[] topkWeights) {

  public Routing {
    EpArgumentException.require(tokens >= 0, "tokens", tokens, ">= 0");
    EpArgumentException.require(topk >= 1, "topk", topk, ">= 1");
    if (topkIdx == null || topkIdx.length != (long) tokens * topk) {
      throw new EpArgumentException(
          "topk_idx", "needs " + tokens + " x " + topk + " = " + ((long) tokens * topk) + " entries, got " + (topkIdx == null ? "null" : topkIdx.length));
    }
    if (topkWeights == null || topkWeights.length != topkIdx.length) {
      throw new EpArgumentException(
          "topk_weights", "needs " + topkIdx.length + " entries to match topk_idx, got " + (topkWeights == null ? "null" : topkWeights.length));
    }
  }

  public long expert(int token, int slot) {
    return topkIdx[token * topk + slot];
  }

  public float weight(int token, int slot) {
    return topkWeights[token * topk + slot];
  }
}
