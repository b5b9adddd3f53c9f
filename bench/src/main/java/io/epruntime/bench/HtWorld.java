package io.epruntime.bench;

import io.epruntime.engine.DispatchLayout;
import io.epruntime.engine.HtDispatchResult;
import io.epruntime.engine.RankInput;
import io.epruntime.engine.ReferenceEngine;
import io.epruntime.engine.Workloads;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.Arrays;
import java.util.List;

/**
 * The benchmark's world: DeepEP's intranode test shape (T=4096 tokens per rank, H=7168, K=8,
 * E=256, N=8, bf16), all ranks in this JVM, routing without masked slots as in DeepEP's HT
 * benchmark. Bytes are counted as DeepEP counts them: received rows x H x 2, summed over ranks.
 */
final class HtWorld {
  static final int RANKS = 8;
  static final int EXPERTS = 256;
  static final int TOPK = 8;
  static final long SEED = 2026;

  final EpConfig config;
  final ReferenceEngine engine;
  final List<HiddenStates> x;
  final List<Routing> routing;

  HtWorld(int tokens, int hidden) {
    config = new EpConfig(RANKS, EXPERTS, hidden, TOPK, 0, 1, DType.BF16);
    engine = new ReferenceEngine(config);
    int[] perRank = new int[RANKS];
    Arrays.fill(perRank, tokens);
    List<RankInput> in = Workloads.random(config, perRank, SEED, 0.0);
    x = in.stream().map(RankInput::x).toList();
    routing = in.stream().map(RankInput::routing).toList();
  }

  /** DeepEP's byte count of one dispatch (and of one combine): received rows x H x 2 over all ranks. */
  static long bytes(List<HtDispatchResult> dispatched, int hidden) {
    long rows = 0;
    for (HtDispatchResult d : dispatched) {
      rows += d.recvRows();
    }
    return rows * hidden * 2L;
  }

  /** The same count from the layouts alone (a token counts once per destination rank). */
  static long bytes(int tokens, int hidden) {
    HtWorld w = new HtWorld(tokens, hidden);
    long rows = 0;
    for (DispatchLayout l : w.engine.layout(w.routing)) {
      for (int n : l.tokensPerRank()) {
        rows += n;
      }
    }
    return rows * hidden * 2L;
  }
}
