package io.epruntime.engine;

/**
 * The receiver's layout of one LL dispatch: for each (local expert {@code l}, source rank {@code s})
 * the first slot and the number of rows. Slots of {@code (l, s)} are always
 * {@code [l*N*M + s*M, l*N*M + s*M + count)}, so {@link #begin} is fixed by the shape; it is kept
 * for parity with DeepEP's {@code packed_recv_layout_range}.
 */
public final class LlHandle {
  private final int rank;
  private final int worldSize;
  private final int localExperts;
  private final int maxTokensPerRank;
  private final int[] counts;

  LlHandle(int rank, int worldSize, int localExperts, int maxTokensPerRank, int[] counts) {
    this.rank = rank;
    this.worldSize = worldSize;
    this.localExperts = localExperts;
    this.maxTokensPerRank = maxTokensPerRank;
    this.counts = counts;
  }

  public int rank() {
    return rank;
  }

  public int worldSize() {
    return worldSize;
  }

  public int localExperts() {
    return localExperts;
  }

  /** M, the LL capacity per source rank. */
  public int maxTokensPerRank() {
    return maxTokensPerRank;
  }

  /** First row (in the expert-major layout) of the rows local expert {@code l} got from {@code source}. */
  public int begin(int localExpert, int source) {
    return localExpert * worldSize * maxTokensPerRank + source * maxTokensPerRank;
  }

  /** Rows local expert {@code l} got from {@code source}. */
  public int count(int localExpert, int source) {
    return counts[localExpert * worldSize + source];
  }

  /** DeepEP's packing: {@code begin << 32 | count}. */
  public long layoutRange(int localExpert, int source) {
    return ((long) begin(localExpert, source) << 32) | count(localExpert, source);
  }
}
