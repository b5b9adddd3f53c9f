package io.epruntime.weights;

import io.epruntime.protocol.EpArgumentException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One rank's experts of every MoE layer, mapped read-only from the checkpoint: the
 * {@link ExpertShare} of each layer in {@link #layers()}.
 */
public final class LocalExperts {
  private final ExpertShare share;
  private final List<ExpertWeights> experts;
  private final Map<List<Integer>, ExpertWeights> byLayerAndExpert = new HashMap<>();

  LocalExperts(ExpertShare share, List<ExpertWeights> experts) {
    this.share = share;
    this.experts = List.copyOf(experts);
    for (ExpertWeights w : experts) {
      byLayerAndExpert.put(List.of(w.layer(), w.expert()), w);
    }
  }

  /** Which experts these are, their dtype and the bytes mapped. */
  public ExpertShare share() {
    return share;
  }

  /** The MoE layers, ascending. */
  public List<Integer> layers() {
    return share.config().moeLayers();
  }

  /** Every local expert of every MoE layer, layer-major. */
  public List<ExpertWeights> all() {
    return experts;
  }

  /** Global expert {@code expert} of {@code layer}; fails naming what this rank holds when it is not here. */
  public ExpertWeights expert(int layer, int expert) {
    ExpertWeights w = byLayerAndExpert.get(List.of(layer, expert));
    if (w == null) {
      boolean moeLayer = layers().contains(layer);
      throw new EpArgumentException(moeLayer ? "expert" : "layer", moeLayer
          ? "expert = " + expert + " is not on rank " + share.rank() + "; allowed: " + share.range()
          : "layer = " + layer + " has no experts; allowed: " + layers());
    }
    return w;
  }
}
