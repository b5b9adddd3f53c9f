package io.epruntime.weights;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epruntime.protocol.EpArgumentException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Generates a checkpoint in exactly a family's Hugging Face layout, with seeded weights
 * ({@link GeneratedWeights}): {@code config.json}, and either {@code model.safetensors} or
 * {@code model-0000k-of-0000N.safetensors} shards with {@code model.safetensors.index.json}.
 * Tests and local runs use it instead of downloading a model; the loader cannot tell the difference.
 */
public final class CheckpointWriter {

  /** What was written: the directory, its files, the safetensors files' total size and the tensor count. */
  public record Written(Path dir, List<Path> files, long bytes, int tensors) {}

  private CheckpointWriter() {}

  /** Writes {@code spec} into {@code dir}, which must be absent or empty. {@code config.json} comes last. */
  public static Written write(CheckpointSpec spec, Path dir) {
    requireEmpty(dir);
    List<GeneratedTensor> tensors = GeneratedTensor.all(
        spec.family(), spec.layers(), spec.denseLayers(), spec.experts(), spec.hidden(), spec.intermediate());
    List<Path> files = new ArrayList<>();
    Map<String, String> weightMap = new TreeMap<>();
    long bytes = 0;
    for (int shard = 0; shard < spec.shards(); shard++) {
      // Tensor i goes to shard floor(i * N / T): every shard non-empty, a layer's experts spread over shards.
      int from = (int) ((long) shard * tensors.size() / spec.shards());
      int to = (int) ((long) (shard + 1) * tensors.size() / spec.shards());
      Path file = dir.resolve(shardName(shard, spec.shards()));
      List<SafetensorsWriter.Pending> pending = new ArrayList<>();
      for (GeneratedTensor t : tensors.subList(from, to)) {
        pending.add(pending(spec, t));
        weightMap.put(t.name(), file.getFileName().toString());
      }
      bytes += SafetensorsWriter.write(file, pending, Map.of("format", "pt"));
      files.add(file);
    }
    if (spec.shards() > 1) {
      files.add(writeJson(dir.resolve(CheckpointFiles.INDEX), index(weightMap, tensors, spec.dtype())));
    }
    files.add(writeJson(dir.resolve(MoeConfig.FILE_NAME), config(spec)));
    return new Written(dir, List.copyOf(files), bytes, tensors.size());
  }

  /** Hugging Face's shard names: 1-based, five digits. */
  static String shardName(int shard, int shards) {
    return shards == 1 ? CheckpointFiles.SINGLE : String.format("model-%05d-of-%05d.safetensors", shard + 1, shards);
  }

  private static SafetensorsWriter.Pending pending(CheckpointSpec spec, GeneratedTensor t) {
    if (t.fanIn() == 0) {
      return new SafetensorsWriter.Pending(t.name(), spec.dtype(), t.shape(), i -> 1f);
    }
    long key = GeneratedWeights.tensorKey(spec.seed(), t.name());
    return new SafetensorsWriter.Pending(t.name(), spec.dtype(), t.shape(), i -> GeneratedWeights.value(key, i, t.fanIn()));
  }

  private static ObjectNode index(Map<String, String> weightMap, List<GeneratedTensor> tensors, TensorDType dtype) {
    ObjectNode index = JsonFile.MAPPER.createObjectNode();
    long total = tensors.stream().mapToLong(t -> t.elementCount() * dtype.bytesPerElement()).sum();
    index.putObject("metadata").put("total_size", total);
    ObjectNode map = index.putObject("weight_map");
    weightMap.forEach(map::put);
    return index;
  }

  /** The keys the family's {@code transformers} config class reads for the parts written here. */
  private static ObjectNode config(CheckpointSpec spec) {
    ModelFamily family = spec.family();
    ObjectNode c = JsonFile.MAPPER.createObjectNode();
    c.putArray("architectures").add(family.architecture());
    c.put("model_type", family.modelType());
    c.put("hidden_size", spec.hidden());
    c.put("num_hidden_layers", spec.layers());
    c.put("hidden_act", MoeConfig.SILU);
    c.put(family.expertsKey(), spec.experts());
    c.put("num_experts_per_tok", spec.topk());
    c.put(family.intermediateKey(), spec.intermediate());
    if (!family.intermediateKey().equals("intermediate_size")) {
      c.put("intermediate_size", CheckpointSpec.denseIntermediate(spec.intermediate()));
    }
    family.moeLayerRule().writeDenseLayers(c, spec.denseLayers());
    c.put("vocab_size", GeneratedTensor.VOCAB);
    c.put("rms_norm_eps", 1e-6);
    c.put("tie_word_embeddings", false);
    c.put("torch_dtype", spec.dtype().torchName());
    // Not a transformers key (it ignores unknown ones): how to regenerate these weights.
    c.putObject("ep_generated").put("seed", spec.seed()).put("by", "ep weights make");
    return c;
  }

  private static Path writeJson(Path file, ObjectNode json) {
    try {
      JsonFile.MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), json);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static void requireEmpty(Path dir) {
    try {
      if (Files.exists(dir)) {
        try (Stream<Path> entries = Files.list(dir)) {
          if (entries.findAny().isPresent()) {
            throw new EpArgumentException("out", "out = " + dir + " is not empty; allowed: a new or empty directory");
          }
        }
      }
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new EpArgumentException("out", "out = " + dir + " cannot be created as a directory: " + e.getMessage());
    }
  }
}
