package io.epruntime.weights;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where each tensor of a checkpoint directory lives: through {@code model.safetensors.index.json}'s
 * {@code weight_map} for a sharded checkpoint, else in the single {@code model.safetensors}. Every
 * shard the index names must exist; shards are opened (headers read and checked) on first use.
 */
final class CheckpointFiles {
  static final String INDEX = "model.safetensors.index.json";
  static final String SINGLE = "model.safetensors";

  private final Path dir;
  /** The index file, or {@code null} for a single-file checkpoint. */
  private final Path index;
  private final Map<String, Path> weightMap;
  private final Map<Path, SafetensorsFile> opened = new HashMap<>();

  private CheckpointFiles(Path dir, Path index, Map<String, Path> weightMap) {
    this.dir = dir;
    this.index = index;
    this.weightMap = weightMap;
  }

  static CheckpointFiles of(Path dir) {
    Path index = dir.resolve(INDEX);
    if (Files.isRegularFile(index)) {
      return new CheckpointFiles(dir, index, weightMap(dir, JsonFile.read(index)));
    }
    if (Files.isRegularFile(dir.resolve(SINGLE))) {
      return new CheckpointFiles(dir, null, Map.of());
    }
    throw CheckpointException.file(dir, "has neither " + INDEX + " (a sharded checkpoint) nor " + SINGLE + " (a single file)");
  }

  /** The index's tensor-to-shard map, every shard checked to exist before anything is opened. */
  private static Map<String, Path> weightMap(Path dir, JsonFile index) {
    Map<String, Path> map = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : index.requiredObject("weight_map").properties()) {
      String shard = e.getValue().asText();
      if (!e.getValue().isTextual() || shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..")) {
        throw CheckpointException.tensor(index.path(), e.getKey(),
            "weight_map names shard " + e.getValue() + "; allowed: a file name in " + dir);
      }
      map.put(e.getKey(), dir.resolve(shard));
    }
    Set<Path> checked = new HashSet<>();
    for (Map.Entry<String, Path> e : map.entrySet()) {
      if (checked.add(e.getValue()) && !Files.isRegularFile(e.getValue())) {
        throw CheckpointException.tensor(index.path(), e.getKey(),
            "weight_map names shard " + e.getValue().getFileName() + ", which does not exist in " + dir);
      }
    }
    return map;
  }

  /** A tensor found: the opened shard that holds it and its header entry. */
  record Located(SafetensorsFile shard, TensorEntry entry) {}

  /** Finds {@code tensor}; fails naming it and the index or shard that should have it. */
  Located locate(String tensor) {
    Path path = index == null ? dir.resolve(SINGLE) : weightMap.get(tensor);
    if (path == null) {
      throw CheckpointException.tensor(index, tensor, "is missing: weight_map does not name it");
    }
    SafetensorsFile shard = opened.computeIfAbsent(path, SafetensorsFile::open);
    TensorEntry entry = shard.entry(tensor);
    if (entry == null) {
      String why = index == null ? "is missing from the checkpoint" : "is missing, though " + INDEX + " maps it to this shard";
      throw CheckpointException.tensor(shard.path(), tensor, why);
    }
    return new Located(shard, entry);
  }
}
