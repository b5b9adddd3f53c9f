package io.epruntime.protocol.ep;

/** How one step moves tokens: high-throughput (dedup per rank) or low-latency (fixed capacity). */
public enum StepMode {
  HT,
  LL;

  /**
   * The rule every rank must agree on, so the coordinator decides it once and puts it in the step
   * message: LL when the largest per-rank token count fits the LL capacity, else HT.
   */
  public static StepMode choose(EpConfig config, int[] tokensPerRank) {
    int max = 0;
    for (int t : tokensPerRank) {
      max = Math.max(max, t);
    }
    return config.lowLatencyFits(max) ? LL : HT;
  }
}
