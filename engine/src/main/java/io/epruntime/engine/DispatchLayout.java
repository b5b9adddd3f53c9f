package io.epruntime.engine;

/**
 * What one rank's routing asks of the world before anything moves (DeepEP's
 * {@code get_dispatch_layout}).
 *
 * @param tokensPerRank {@code [N]}: tokens that go to each rank; a token counts once per destination
 *     rank however many of its experts live there
 * @param tokensPerExpert {@code [E]}: (token, expert) pairs per global expert
 * @param tokenInRank {@code [T * N]} row-major: whether token {@code t} goes to rank {@code r}
 */
public record DispatchLayout(int[] tokensPerRank, int[] tokensPerExpert, boolean[] tokenInRank) {

  /** Whether token {@code token} goes to {@code rank}. */
  public boolean tokenInRank(int token, int rank) {
    return tokenInRank[token * tokensPerRank.length + rank];
  }

  /** Tokens of the sender this layout was computed for. */
  public int tokens() {
    return tokensPerRank.length == 0 ? 0 : tokenInRank.length / tokensPerRank.length;
  }
}
