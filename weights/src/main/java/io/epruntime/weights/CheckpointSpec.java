package io.epruntime.weights;

import io.epruntime.protocol.EpArgumentException;

/**
 * What {@link CheckpointWriter} generates: a checkpoint in {@code family}'s layout.
 *
 * @param family whose tensor names and {@code config.json} keys are written
 * @param layers decoder layers
 * @param denseLayers the first this many layers have a dense MLP instead of experts (Qwen's
 *     {@code mlp_only_layers}, DeepSeek's {@code first_k_dense_replace}; 0 for Mixtral)
 * @param experts routed experts per MoE layer
 * @param hidden hidden size
 * @param intermediate one expert's intermediate size
 * @param topk experts per token
 * @param seed the weights are a pure function of it (see {@link GeneratedWeights})
 * @param dtype of every floating-point tensor: bf16, fp16 or fp32
 * @param shards files the tensors are spread over; more than one writes {@code model.safetensors.index.json}
 */
public record CheckpointSpec(
    ModelFamily family, int layers, int denseLayers, int experts, int hidden, int intermediate, int topk, long seed,
    TensorDType dtype, int shards) {

  public CheckpointSpec {
    if (family == null) {
      throw new EpArgumentException("like", "like is required; allowed: mixtral, qwen2-moe, qwen3-moe, deepseek-v2, deepseek-v3");
    }
    EpArgumentException.require(layers >= 1, "layers", layers, ">= 1");
    EpArgumentException.require(denseLayers >= 0 && denseLayers < layers, "dense-layers", denseLayers, "0.." + (layers - 1));
    EpArgumentException.require(denseLayers == 0 || family.moeLayerRule().allowsDenseLayers(), "dense-layers", denseLayers,
        "0, since " + family.cliName() + " has experts in every layer");
    EpArgumentException.require(experts >= 1, "experts", experts, ">= 1");
    EpArgumentException.require(hidden >= 1, "hidden", hidden, ">= 1");
    EpArgumentException.require(intermediate >= 1, "intermediate", intermediate, ">= 1");
    EpArgumentException.require(topk >= 1 && topk <= experts, "topk", topk, "1.." + experts + " (the experts)");
    EpArgumentException.require(dtype != null && TensorDType.EXPERT_TYPES.contains(dtype), "dtype", dtype, "bf16, fp16, fp32");
    int tensors = GeneratedTensor.all(family, layers, denseLayers, experts, hidden, intermediate).size();
    EpArgumentException.require(shards >= 1 && shards <= tensors, "shards", shards, "1.." + tensors + " (the tensors written)");
  }

  /** The same checkpoint over {@code n} shards. */
  public CheckpointSpec withShards(int n) {
    return new CheckpointSpec(family, layers, denseLayers, experts, hidden, intermediate, topk, seed, dtype, n);
  }

  /** A checkpoint whose layers all hold experts. */
  public static CheckpointSpec allMoe(ModelFamily family, int layers, int experts, int hidden, int intermediate, int topk,
      long seed, TensorDType dtype, int shards) {
    return new CheckpointSpec(family, layers, 0, experts, hidden, intermediate, topk, seed, dtype, shards);
  }

  /**
   * The dense MLP's intermediate size ({@code intermediate_size} where that is not the experts'
   * key), unlike the experts' so a loader reading the wrong key fails on shapes.
   */
  static int denseIntermediate(int intermediate) {
    return 2 * intermediate;
  }
}
