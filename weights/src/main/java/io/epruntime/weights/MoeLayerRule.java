package io.epruntime.weights;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Which decoder layers of a family hold experts, as {@code config.json} says and as the family's
 * modelling code in {@code transformers} decides it; the other layers have a dense MLP.
 */
enum MoeLayerRule {
  /** Mixtral: every layer. */
  EVERY_LAYER {
    @Override
    boolean isMoe(JsonFile config, int layer) {
      return true;
    }

    @Override
    boolean allowsDenseLayers() {
      return false;
    }

    @Override
    void writeDenseLayers(ObjectNode config, int denseLayers) {
      // No key: the family has no dense layers, which CheckpointSpec enforces.
    }
  },
  /** Qwen2-MoE, Qwen3-MoE: not in {@code mlp_only_layers}, and every {@code decoder_sparse_step}-th layer. */
  QWEN {
    @Override
    boolean isMoe(JsonFile config, int layer) {
      int step = config.optionalPositiveInt("decoder_sparse_step", 1);
      return !config.optionalIntList("mlp_only_layers").contains(layer) && (layer + 1) % step == 0;
    }

    @Override
    void writeDenseLayers(ObjectNode config, int denseLayers) {
      config.put("decoder_sparse_step", 1);
      var mlpOnly = config.putArray("mlp_only_layers");
      for (int l = 0; l < denseLayers; l++) {
        mlpOnly.add(l);
      }
    }
  },
  /** DeepSeek-V2/V3: from {@code first_k_dense_replace} on, every {@code moe_layer_freq}-th layer. */
  DEEPSEEK {
    @Override
    boolean isMoe(JsonFile config, int layer) {
      int freq = config.optionalPositiveInt("moe_layer_freq", 1);
      return layer >= config.optionalNonNegativeInt("first_k_dense_replace", 0) && layer % freq == 0;
    }

    @Override
    void writeDenseLayers(ObjectNode config, int denseLayers) {
      config.put("first_k_dense_replace", denseLayers);
      config.put("moe_layer_freq", 1);
    }
  };

  abstract boolean isMoe(JsonFile config, int layer);

  /** Whether the family's config can make some layers dense. */
  boolean allowsDenseLayers() {
    return true;
  }

  /** Writes the keys that make the first {@code denseLayers} layers dense and the rest MoE. */
  abstract void writeDenseLayers(ObjectNode config, int denseLayers);

  /** The MoE layers among {@code [0, layers)}, ascending. */
  List<Integer> moeLayers(JsonFile config, int layers) {
    List<Integer> moe = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      if (isMoe(config, l)) {
        moe.add(l);
      }
    }
    return List.copyOf(moe);
  }
}
