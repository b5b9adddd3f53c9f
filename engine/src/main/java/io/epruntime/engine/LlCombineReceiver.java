package io.epruntime.engine;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** The home half of LL combine: the weighted sum of every (token, expert) output that came back. */
final class LlCombineReceiver {
  private final EpConfig config;
  private final int rank;
  private final DType combineDType;

  LlCombineReceiver(EpConfig config, int rank) {
    this.config = config;
    this.rank = rank;
    this.combineDType = config.dtype().combineDType();
  }

  HiddenStates receive(ByteBuffer[] fromRank, Routing routing) {
    config.validate(routing);
    int tokens = routing.tokens();
    if (tokens > config.llMaxTokensPerRank()) {
      throw new EpArgumentException("routing", "routing has " + tokens + " tokens but ep.ll-max-tokens-per-rank = "
          + config.llMaxTokensPerRank());
    }
    int n = config.worldSize();
    int k = config.topk();
    int h = config.hidden();
    int rowBytes = h * combineDType.bytesPerElement();
    ByteBuffer[] p = Payloads.normalize(fromRank, n, "fromRank");
    long[] idx = routing.topkIdx();
    // Byte offset of the returned row for each (token, slot); -1 until it arrives.
    int[] rowAt = new int[tokens * k];
    Arrays.fill(rowAt, -1);
    for (int d = 0; d < n; d++) {
      String arg = "fromRank[" + d + "]";
      Wire.Header hd = Wire.readHeader(p[d], arg, Wire.LL_COMBINE, d, rank, h, combineDType);
      int pairs = hd.rows();
      Wire.requireBytes(p[d], Wire.HEADER_BYTES + (long) pairs * (8 + rowBytes), arg);
      int[] local = Wire.getInts(p[d], Wire.HEADER_BYTES, pairs);
      int[] token = Wire.getInts(p[d], Wire.HEADER_BYTES + 4 * pairs, pairs);
      int rowsOff = Wire.HEADER_BYTES + 8 * pairs;
      for (int i = 0; i < pairs; i++) {
        if (local[i] < 0 || local[i] >= config.localExperts()) {
          throw new EpArgumentException(arg, arg + " pair " + i + " names local expert " + local[i]
              + ", outside [0, " + config.localExperts() + ")");
        }
        int slot = slotOf(idx, token[i], config.firstExpertOf(d) + (long) local[i], tokens, arg, i);
        if (rowAt[token[i] * k + slot] >= 0) {
          throw new EpArgumentException(arg, arg + " returns token " + token[i] + " slot " + slot + " twice");
        }
        rowAt[token[i] * k + slot] = rowsOff + i * rowBytes;
      }
    }
    HiddenStates out = HiddenStates.zeros(combineDType, tokens, h);
    ByteBuffer dst = out.x().data();
    float[] y = new float[h];
    float[] acc = new float[h];
    for (int t = 0; t < tokens; t++) {
      Arrays.fill(acc, 0f);
      for (int s = 0; s < k; s++) {
        long e = idx[t * k + s];
        if (e < 0) {
          continue;
        }
        int at = rowAt[t * k + s];
        if (at < 0) {
          throw new EpArgumentException("fromRank[" + config.rankOf(e) + "]", "fromRank[" + config.rankOf(e)
              + "] did not return token " + t + " for expert " + e);
        }
        RowCodec.decode(combineDType, p[config.rankOf(e)], at, h, null, 0, y);
        float w = routing.topkWeights()[t * k + s];
        for (int c = 0; c < h; c++) {
          acc[c] = Math.fma(w, y[c], acc[c]);
        }
      }
      RowCodec.encode(combineDType, acc, h, dst, t * rowBytes);
    }
    return out;
  }

  private int slotOf(long[] idx, int token, long expert, int tokens, String arg, int pair) {
    int k = config.topk();
    if (token >= 0 && token < tokens) {
      for (int s = 0; s < k; s++) {
        if (idx[token * k + s] == expert) {
          return s;
        }
      }
    }
    throw new EpArgumentException(arg, arg + " pair " + pair + " returns token " + token + " from expert " + expert
        + ", which the routing of this rank's " + tokens + " tokens did not choose");
  }
}
