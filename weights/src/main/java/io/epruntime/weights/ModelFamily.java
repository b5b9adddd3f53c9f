package io.epruntime.weights;

import io.epruntime.protocol.EpArgumentException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The MoE model families whose checkpoints load, each picked by {@code config.json}'s
 * {@code model_type}. A family is its naming of expert tensors, the {@code config.json} keys of its
 * expert count and expert intermediate size, and its rule for which layers hold experts; a new
 * family is one more constant.
 */
public enum ModelFamily {
  MIXTRAL("mixtral", "MixtralForCausalLM", "num_local_experts", "intermediate_size",
      MoeLayerRule.EVERY_LAYER, ExpertNaming.of("block_sparse_moe", "w1", "w3", "w2")),
  QWEN2_MOE("qwen2_moe", "Qwen2MoeForCausalLM", "num_experts", "moe_intermediate_size",
      MoeLayerRule.QWEN, Names.PROJ),
  QWEN3_MOE("qwen3_moe", "Qwen3MoeForCausalLM", "num_experts", "moe_intermediate_size",
      MoeLayerRule.QWEN, Names.PROJ),
  DEEPSEEK_V2("deepseek_v2", "DeepseekV2ForCausalLM", "n_routed_experts", "moe_intermediate_size",
      MoeLayerRule.DEEPSEEK, Names.PROJ),
  DEEPSEEK_V3("deepseek_v3", "DeepseekV3ForCausalLM", "n_routed_experts", "moe_intermediate_size",
      MoeLayerRule.DEEPSEEK, Names.PROJ);

  private final String modelType;
  private final String architecture;
  private final String expertsKey;
  private final String intermediateKey;
  private final MoeLayerRule moeLayers;
  private final ExpertNaming naming;

  ModelFamily(String modelType, String architecture, String expertsKey, String intermediateKey, MoeLayerRule moeLayers,
      ExpertNaming naming) {
    this.modelType = modelType;
    this.architecture = architecture;
    this.expertsKey = expertsKey;
    this.intermediateKey = intermediateKey;
    this.moeLayers = moeLayers;
    this.naming = naming;
  }

  /** {@code config.json}'s {@code model_type}. */
  public String modelType() {
    return modelType;
  }

  /** The command-line spelling: {@code qwen3-moe}, {@code deepseek-v3}, … */
  public String cliName() {
    return modelType.replace('_', '-');
  }

  /** {@code config.json}'s {@code architectures[0]}. */
  String architecture() {
    return architecture;
  }

  /** The {@code config.json} key of the routed expert count. */
  public String expertsKey() {
    return expertsKey;
  }

  /** The {@code config.json} key of one expert's intermediate size. */
  public String intermediateKey() {
    return intermediateKey;
  }

  MoeLayerRule moeLayerRule() {
    return moeLayers;
  }

  public ExpertNaming naming() {
    return naming;
  }

  /** The family of a {@code config.json} {@code model_type}, or {@code null} when none matches. */
  static ModelFamily ofModelType(String modelType) {
    for (ModelFamily f : values()) {
      if (f.modelType.equals(modelType)) {
        return f;
      }
    }
    return null;
  }

  static String modelTypes() {
    return Arrays.stream(values()).map(ModelFamily::modelType).collect(Collectors.joining(", "));
  }

  /**
   * Parses a command-line family: a {@link #cliName()}, a {@code model_type}, or {@code deepseek}
   * for DeepSeek-V3; {@code field} names the flag in the error.
   */
  public static ModelFamily parse(String field, String value) {
    String v = value == null ? "" : value.toLowerCase(Locale.ROOT).replace('_', '-');
    if (v.equals("deepseek")) {
      return DEEPSEEK_V3;
    }
    for (ModelFamily f : values()) {
      if (f.cliName().equals(v)) {
        return f;
      }
    }
    throw new EpArgumentException(field, field + " = " + value + " is not a model family; allowed: "
        + Arrays.stream(values()).map(ModelFamily::cliName).collect(Collectors.joining(", ")) + ", deepseek (= deepseek-v3)");
  }

  /** Names shared by the families that follow Qwen's and DeepSeek's {@code mlp.experts} layout. */
  private static final class Names {
    static final ExpertNaming PROJ = ExpertNaming.of("mlp", "gate_proj", "up_proj", "down_proj");
  }
}
