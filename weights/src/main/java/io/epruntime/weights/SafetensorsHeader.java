package io.epruntime.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and checked JSON header of one safetensors file: every entry has a known dtype, a
 * shape of non-negative dimensions, and a byte range that matches dtype × shape, lies inside the
 * file's data and overlaps no other. Anything else fails naming the tensor and the file.
 */
record SafetensorsHeader(Map<String, TensorEntry> tensors, Map<String, String> metadata) {

  static final String METADATA_KEY = "__metadata__";

  /** The specification's limit, which keeps a corrupt length from asking for gigabytes of heap. */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  SafetensorsHeader {
    tensors = Map.copyOf(tensors);
    metadata = Map.copyOf(metadata);
  }

  /** Parses {@code json}, the header of {@code file}, whose data section holds {@code dataBytes} bytes. */
  static SafetensorsHeader parse(Path file, byte[] json, long dataBytes) {
    JsonNode root;
    try {
      root = JsonFile.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw CheckpointException.file(file, "the safetensors header is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw CheckpointException.file(file, "cannot parse the safetensors header: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw CheckpointException.file(file, "the safetensors header is not a JSON object");
    }
    Map<String, TensorEntry> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = Map.of();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      if (field.getKey().equals(METADATA_KEY)) {
        metadata = metadata(file, field.getValue());
      } else {
        tensors.put(field.getKey(), entry(file, field.getKey(), field.getValue(), dataBytes));
      }
    }
    checkNoOverlap(file, tensors.values());
    return new SafetensorsHeader(tensors, metadata);
  }

  private static TensorEntry entry(Path file, String name, JsonNode node, long dataBytes) {
    if (!node.isObject()) {
      throw CheckpointException.tensor(file, name, "its header entry is not an object with dtype, shape and data_offsets");
    }
    JsonNode dtypeNode = node.get("dtype");
    TensorDType dtype = dtypeNode != null && dtypeNode.isTextual() ? TensorDType.ofHeaderName(dtypeNode.asText()) : null;
    if (dtype == null) {
      throw CheckpointException.tensor(file, name,
          "dtype = " + dtypeNode + " is not a safetensors dtype; allowed: " + TensorDType.headerNames());
    }
    List<Long> shape = nonNegativeLongs(file, name, "shape", node.get("shape"), -1);
    List<Long> offsets = nonNegativeLongs(file, name, "data_offsets", node.get("data_offsets"), 2);
    long begin = offsets.get(0);
    long end = offsets.get(1);
    if (begin > end) {
      throw CheckpointException.tensor(file, name, "data_offsets = " + offsets + " end before they begin");
    }
    if (end > dataBytes) {
      throw CheckpointException.tensor(file, name, "data_offsets = " + offsets + " reach past the end of the file, whose data"
          + " section has " + dataBytes + " bytes (a truncated shard?)");
    }
    TensorEntry entry = new TensorEntry(name, dtype, shape, begin, end);
    long expected;
    try {
      expected = Math.multiplyExact(entry.elementCount(), dtype.bytesPerElement());
    } catch (ArithmeticException e) {
      throw CheckpointException.tensor(file, name, "shape = " + shape + " has more elements than a long holds");
    }
    if (entry.byteSize() != expected) {
      throw CheckpointException.tensor(file, name, "data_offsets = " + offsets + " span " + entry.byteSize()
          + " bytes but " + dtype + " " + shape + " needs " + expected);
    }
    return entry;
  }

  private static List<Long> nonNegativeLongs(Path file, String name, String key, JsonNode node, int requiredSize) {
    boolean ok = node != null && node.isArray() && (requiredSize < 0 || node.size() == requiredSize);
    List<Long> values = new ArrayList<>();
    if (ok) {
      for (JsonNode v : node) {
        if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
          ok = false;
          break;
        }
        values.add(v.asLong());
      }
    }
    if (!ok) {
      String wanted = requiredSize < 0 ? "an array of non-negative integers" : requiredSize + " non-negative integers";
      throw CheckpointException.tensor(file, name, key + " = " + node + " is not allowed; allowed: " + wanted);
    }
    return values;
  }

  private static Map<String, String> metadata(Path file, JsonNode node) {
    if (!node.isObject()) {
      throw CheckpointException.file(file, METADATA_KEY + " = " + node + " is not an object of strings");
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      if (!field.getValue().isTextual()) {
        throw CheckpointException.file(file, METADATA_KEY + "." + field.getKey() + " = " + field.getValue() + " is not a string");
      }
      values.put(field.getKey(), field.getValue().asText());
    }
    return values;
  }

  private static void checkNoOverlap(Path file, Iterable<TensorEntry> entries) {
    List<TensorEntry> byBegin = new ArrayList<>();
    entries.forEach(byBegin::add);
    byBegin.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
    TensorEntry previous = null;
    for (TensorEntry e : byBegin) {
      if (e.byteSize() == 0) {
        continue; // an empty tensor occupies no bytes, wherever its offsets point
      }
      if (previous != null && e.begin() < previous.end()) {
        throw CheckpointException.tensor(file, e.name(), "data_offsets [" + e.begin() + ", " + e.end() + "] overlap those of "
            + previous.name() + " [" + previous.begin() + ", " + previous.end() + "]");
      }
      previous = e;
    }
  }
}
