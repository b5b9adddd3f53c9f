package io.epruntime.weights;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;

/** Worlds for the tests: N ranks over E experts, hidden size H and top-k K, or a checkpoint's. */
final class Worlds {
  private Worlds() {}

  static EpConfig of(int ranks, CheckpointSpec spec) {
    return of(ranks, spec.experts(), spec.hidden(), spec.topk());
  }

  static EpConfig of(int ranks, int experts, int hidden, int topk) {
    return new EpConfig(ranks, experts, hidden, topk, 0, 1, DType.BF16);
  }
}
