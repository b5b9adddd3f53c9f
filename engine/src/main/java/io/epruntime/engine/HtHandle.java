package io.epruntime.engine;

/**
 * Everything a rank keeps from one HT dispatch so that the matching combine and any cached
 * dispatch need no new layout exchange. It holds both halves of the rank's part in that dispatch:
 *
 * <ul>
 *   <li>receiver side: the {@code (source rank, source token)} of every received row and the row
 *       offset of each source ({@link #rankPrefix()}, length N+1, rows of source {@code s} are
 *       {@code [rankPrefix[s], rankPrefix[s+1])});
 *   <li>sender side: which of this rank's own tokens went to which rank ({@link #tokenInRank()}),
 *       and from it, per destination, the sender token indices in ascending order.
 * </ul>
 *
 * <p>Immutable by contract: the arrays are shared, not copied; callers must not write them.
 */
public final class HtHandle {
  private final int rank;
  private final int worldSize;
  private final int[] recvSrcRank;
  private final int[] recvSrcToken;
  private final int[] rankPrefix;
  private final int[] sourceTokens;
  private final int senderTokens;
  private final boolean[] tokenInRank;
  private final int[][] sendTokens;

  HtHandle(
      int rank,
      int worldSize,
      int[] recvSrcRank,
      int[] recvSrcToken,
      int[] rankPrefix,
      int[] sourceTokens,
      int senderTokens,
      boolean[] tokenInRank) {
    this.rank = rank;
    this.worldSize = worldSize;
    this.recvSrcRank = recvSrcRank;
    this.recvSrcToken = recvSrcToken;
    this.rankPrefix = rankPrefix;
    this.sourceTokens = sourceTokens;
    this.senderTokens = senderTokens;
    this.tokenInRank = tokenInRank;
    this.sendTokens = tokensPerDestination(tokenInRank, senderTokens, worldSize);
  }

  static int[][] tokensPerDestination(boolean[] tokenInRank, int tokens, int worldSize) {
    int[] counts = new int[worldSize];
    for (int t = 0; t < tokens; t++) {
      for (int r = 0; r < worldSize; r++) {
        if (tokenInRank[t * worldSize + r]) {
          counts[r]++;
        }
      }
    }
    int[][] lists = new int[worldSize][];
    for (int r = 0; r < worldSize; r++) {
      lists[r] = new int[counts[r]];
      counts[r] = 0;
    }
    for (int t = 0; t < tokens; t++) {
      for (int r = 0; r < worldSize; r++) {
        if (tokenInRank[t * worldSize + r]) {
          lists[r][counts[r]++] = t;
        }
      }
    }
    return lists;
  }

  /** The rank this handle belongs to. */
  public int rank() {
    return rank;
  }

  public int worldSize() {
    return worldSize;
  }

  /** Source rank of every received row. */
  public int[] recvSrcRank() {
    return recvSrcRank;
  }

  /** Index of every received row in its source rank's {@code x}. */
  public int[] recvSrcToken() {
    return recvSrcToken;
  }

  /** Received row offset per source rank, length N+1. */
  public int[] rankPrefix() {
    return rankPrefix;
  }

  /** Tokens each source rank had in this dispatch ({@code T_s}), length N. */
  public int[] sourceTokens() {
    return sourceTokens;
  }

  /** Rows this rank received. */
  public int recvRows() {
    return rankPrefix[worldSize];
  }

  /** Tokens this rank sent from (its own {@code T}). */
  public int senderTokens() {
    return senderTokens;
  }

  /** Sender side: {@code [T * N]} row-major, whether this rank's token t went to rank r. */
  public boolean[] tokenInRank() {
    return tokenInRank;
  }

  /** Sender side: this rank's token indices sent to {@code destination}, ascending. */
  public int[] sendTokens(int destination) {
    return sendTokens[destination];
  }
}
