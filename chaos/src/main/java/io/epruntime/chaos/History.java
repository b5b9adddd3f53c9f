package io.epruntime.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The run's history as JSON lines, in the order things happened: every step a client invokes and
 * how it ended ({@code ok} with its generation, sequence number, attempts and whether it matched
 * the oracle; {@code fail} with {@code retriable} or {@code rejected}; {@code timeout}), and every
 * fault's {@code start} and {@code end}. Times are milliseconds since the run began.
 */
final class History implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private final BufferedWriter out;
  private final long t0 = System.nanoTime();

  History(Path file) {
    try {
      out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Milliseconds since the run began, the clock of every event. */
  long nowMs() {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  ObjectNode event(String type) {
    ObjectNode n = JSON.createObjectNode();
    n.put("t_ms", nowMs());
    n.put("type", type);
    return n;
  }

  synchronized void write(ObjectNode n) {
    try {
      out.write(n.toString());
      out.newLine();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
