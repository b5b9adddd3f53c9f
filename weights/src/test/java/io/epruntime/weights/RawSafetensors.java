package io.epruntime.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

/** Byte-level surgery on safetensors files for the bad-checkpoint tests, independent of the main code. */
final class RawSafetensors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RawSafetensors() {}

  /** Writes {@code [u64 LE length][header][data]} exactly as given. */
  static void write(Path file, String header, byte[] data) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(json.length).put(json).put(data);
    try {
      Files.write(file, out.array());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Rewrites {@code file}'s header through {@code edit}, keeping its data bytes. */
  static void editHeader(Path file, Consumer<ObjectNode> edit) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
      ObjectNode header = (ObjectNode) JSON.readTree(Arrays.copyOfRange(bytes, 8, 8 + (int) n));
      edit.accept(header);
      write(file, JSON.writeValueAsString(header), Arrays.copyOfRange(bytes, 8 + (int) n, bytes.length));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Cuts {@code bytes} off the end of {@code file}. */
  static void truncate(Path file, int bytes) {
    try {
      byte[] all = Files.readAllBytes(file);
      Files.write(file, Arrays.copyOf(all, all.length - bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
