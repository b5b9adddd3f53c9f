package io.epruntime.weights;

import io.epruntime.protocol.ep.EpConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The expert facts of a checkpoint's {@code config.json}, read with its family's keys.
 *
 * @param file the {@code config.json} they were read from
 * @param family from {@code model_type}
 * @param experts routed experts per MoE layer (E; {@link ModelFamily#expertsKey()})
 * @param hidden {@code hidden_size} (H)
 * @param intermediate one expert's intermediate size (I; {@link ModelFamily#intermediateKey()})
 * @param activation {@code hidden_act}; only {@code silu} (SwiGLU experts) is taken
 * @param layers {@code num_hidden_layers}
 * @param topk {@code num_experts_per_tok} (K)
 * @param moeLayers the layers that hold experts, ascending; the others are dense
 */
public record MoeConfig(
    Path file, ModelFamily family, int experts, int hidden, int intermediate, String activation, int layers, int topk,
    List<Integer> moeLayers) {

  public static final String FILE_NAME = "config.json";
  /** The only activation the experts compute. */
  public static final String SILU = "silu";

  public MoeConfig {
    moeLayers = List.copyOf(moeLayers);
  }

  /** Reads {@code dir/config.json}; fails naming the file and key on anything missing or unknown. */
  public static MoeConfig read(Path dir) {
    JsonFile json = JsonFile.read(dir.resolve(FILE_NAME));
    String modelType = json.requiredText("model_type");
    ModelFamily family = ModelFamily.ofModelType(modelType);
    if (family == null) {
      throw CheckpointException.file(json.path(),
          "model_type = " + modelType + " is not a family the loader knows; allowed: " + ModelFamily.modelTypes());
    }
    String activation = json.requiredText("hidden_act");
    if (!activation.equals(SILU)) {
      throw CheckpointException.file(json.path(),
          "hidden_act = " + activation + " is not allowed; allowed: " + SILU + " (the experts compute SwiGLU)");
    }
    int layers = json.requiredPositiveInt("num_hidden_layers");
    List<Integer> moeLayers = family.moeLayerRule().moeLayers(json, layers);
    if (moeLayers.isEmpty()) {
      throw CheckpointException.file(json.path(), "none of its " + layers + " layers holds experts (see "
          + family.modelType() + "'s dense-layer keys)");
    }
    return new MoeConfig(json.path(), family,
        json.requiredPositiveInt(family.expertsKey()),
        json.requiredPositiveInt("hidden_size"),
        json.requiredPositiveInt(family.intermediateKey()),
        activation, layers,
        json.requiredPositiveInt("num_experts_per_tok"),
        moeLayers);
  }

  /** Every way this config disagrees with {@code world}, each naming both values; empty when it agrees. */
  public List<String> mismatches(EpConfig world) {
    List<String> found = new ArrayList<>();
    if (experts != world.experts()) {
      found.add(family.expertsKey() + " = " + experts + " but ep.experts = " + world.experts());
    }
    if (hidden != world.hidden()) {
      found.add("hidden_size = " + hidden + " but ep.hidden = " + world.hidden());
    }
    if (topk != world.topk()) {
      found.add("num_experts_per_tok = " + topk + " but ep.topk = " + world.topk());
    }
    return found;
  }

  /** Fails listing every {@link #mismatches} when this config disagrees with {@code world}. */
  public void requireMatches(EpConfig world) {
    List<String> found = mismatches(world);
    if (!found.isEmpty()) {
      throw CheckpointException.file(file, "disagrees with the world: " + String.join("; ", found));
    }
  }
}
