package io.epruntime.weights;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small JSON file of the checkpoint ({@code config.json}, the shard index) read as an object,
 * with typed getters whose errors name the file, the key, the value and what is allowed.
 */
final class JsonFile {
  static final ObjectMapper MAPPER = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final Path path;
  private final JsonNode root;

  private JsonFile(Path path, JsonNode root) {
    this.path = path;
    this.root = root;
  }

  static JsonFile read(Path path) {
    JsonNode root;
    try {
      root = MAPPER.readTree(path.toFile());
    } catch (FileNotFoundException e) {
      throw CheckpointException.file(path, "no such file");
    } catch (IOException e) {
      throw CheckpointException.file(path, "is not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw CheckpointException.file(path, "is not a JSON object");
    }
    return new JsonFile(path, root);
  }

  Path path() {
    return path;
  }

  String requiredText(String key) {
    JsonNode v = root.get(key);
    if (v == null || !v.isTextual()) {
      throw bad(key, v, "a string");
    }
    return v.asText();
  }

  int requiredPositiveInt(String key) {
    JsonNode v = root.get(key);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
      throw bad(key, v, "an integer >= 1");
    }
    return v.asInt();
  }

  int optionalPositiveInt(String key, int absent) {
    JsonNode v = root.get(key);
    if (v == null || v.isNull()) {
      return absent;
    }
    return requiredPositiveInt(key);
  }

  int optionalNonNegativeInt(String key, int absent) {
    JsonNode v = root.get(key);
    if (v == null || v.isNull()) {
      return absent;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
      throw bad(key, v, "an integer >= 0");
    }
    return v.asInt();
  }

  List<Integer> optionalIntList(String key) {
    JsonNode v = root.get(key);
    List<Integer> values = new ArrayList<>();
    if (v == null || v.isNull()) {
      return values;
    }
    if (!v.isArray()) {
      throw bad(key, v, "an array of integers >= 0");
    }
    for (JsonNode item : v) {
      if (!item.isIntegralNumber() || !item.canConvertToInt() || item.asInt() < 0) {
        throw bad(key, v, "an array of integers >= 0");
      }
      values.add(item.asInt());
    }
    return values;
  }

  /** An object field of the root, e.g. the index's {@code weight_map}. */
  ObjectNode requiredObject(String key) {
    JsonNode v = root.get(key);
    if (v == null || !v.isObject()) {
      throw bad(key, v, "an object");
    }
    return (ObjectNode) v;
  }

  CheckpointException bad(String key, JsonNode value, String allowed) {
    String shown = value == null ? "(absent)" : value.toString();
    return CheckpointException.file(path, key + " = " + shown + " is not allowed; allowed: " + allowed);
  }
}
