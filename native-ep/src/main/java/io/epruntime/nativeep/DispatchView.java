package io.epruntime.nativeep;

/**
 * Device addresses of what the last dispatches left on the receiving side (see {@code ep.h}'s
 * {@code ep_dispatch_view}): HT rows and their metadata, layout outputs, the LL layout.
 */
public record DispatchView(
    long recvX, long recvScales, long recvTopkIdx, long recvTopkWeights, long recvSrc, long recvCounts,
    long recvExpertCounts, long reduced, long tokensPerRank, long tokensPerExpert, long tokenPos, long llRecvX,
    long llRecvScales, long llRecvSrc, long llRecvCounts, long llY, long rowCapacity) {
  static DispatchView of(long[] v) {
    return new DispatchView(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
        v[14], v[15], v[16]);
  }
}
