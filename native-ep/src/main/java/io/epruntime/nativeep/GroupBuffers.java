package io.epruntime.nativeep;

/** Device addresses of a group's step inputs and outputs (inside its workspace). */
public record GroupBuffers(long x, long xScales, long topkIdx, long topkWeights, long combined, long errorWord) {
  static GroupBuffers of(long[] v) {
    return new GroupBuffers(v[0], v[1], v[2], v[3], v[4], v[5]);
  }
}
