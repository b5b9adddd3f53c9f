package io.epruntime.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epruntime.protocol.tensor.Bf16;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes one safetensors file, streaming each tensor's elements through a small buffer so no
 * tensor is held whole. The header is padded with spaces to a multiple of 8 bytes, as the
 * reference implementation does, so every tensor starts 8-byte aligned in the file.
 */
final class SafetensorsWriter {
  private static final int CHUNK_BYTES = 1 << 20;

  /** Element values of a tensor, by row-major index, in fp32 before rounding to the dtype. */
  interface Values {
    float get(long index);
  }

  /** A tensor to write: its header fields and where its values come from. */
  record Pending(String name, TensorDType dtype, List<Long> shape, Values values) {
    long elementCount() {
      return shape.stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
    }
  }

  private SafetensorsWriter() {}

  /** Writes {@code tensors} in order to {@code file}; returns the bytes written. */
  static long write(Path file, List<Pending> tensors, Map<String, String> metadata) {
    byte[] header = header(tensors, metadata);
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      buffer.putLong(header.length);
      writeAll(out, buffer.flip());
      writeAll(out, ByteBuffer.wrap(header));
      for (Pending t : tensors) {
        int width = t.dtype().bytesPerElement();
        long n = t.elementCount();
        buffer.clear();
        for (long i = 0; i < n; i++) {
          if (buffer.remaining() < width) {
            writeAll(out, buffer.flip());
            buffer.clear();
          }
          put(buffer, t.dtype(), t.values().get(i));
        }
        writeAll(out, buffer.flip());
      }
      return out.size();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static byte[] header(List<Pending> tensors, Map<String, String> metadata) {
    ObjectNode root = JsonFile.MAPPER.createObjectNode();
    ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
    metadata.forEach(meta::put);
    long offset = 0;
    for (Pending t : tensors) {
      ObjectNode entry = root.putObject(t.name());
      entry.put("dtype", t.dtype().name());
      var shape = entry.putArray("shape");
      t.shape().forEach(shape::add);
      long end = offset + t.elementCount() * t.dtype().bytesPerElement();
      entry.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    String json;
    try {
      json = JsonFile.MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serialises", e);
    }
    byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
    int padded = (utf8.length + 7) / 8 * 8;
    byte[] header = new byte[padded];
    System.arraycopy(utf8, 0, header, 0, utf8.length);
    Arrays.fill(header, utf8.length, padded, (byte) ' ');
    return header;
  }

  private static void put(ByteBuffer buffer, TensorDType dtype, float value) {
    switch (dtype) {
      case BF16 -> buffer.putShort(Bf16.fromFloat(value));
      case F16 -> buffer.putShort(Fp16.fromFloat(value));
      case F32 -> buffer.putFloat(value);
      default -> throw new IllegalArgumentException("dtype = " + dtype + " is not written here; allowed: " + TensorDType.expertTypeNames());
    }
  }

  private static void writeAll(FileChannel out, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      out.write(bytes);
    }
  }
}
