package io.epruntime.bench.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Minimal JSON rendering (maps, lists, numbers, strings) and machine facts for result files. */
final class Json {
  private Json() {}

  static String render(Object v) {
    return render(v, "") + "\n";
  }

  private static String render(Object v, String indent) {
    if (v instanceof Map<?, ?> m) {
      String in = indent + "  ";
      return m.entrySet().stream().map(e -> in + quote(e.getKey().toString()) + ": " + render(e.getValue(), in))
          .collect(Collectors.joining(",\n", "{\n", "\n" + indent + "}"));
    }
    if (v instanceof List<?> l) {
      return l.stream().map(e -> render(e, indent)).collect(Collectors.joining(", ", "[", "]"));
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    return quote(String.valueOf(v));
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }

  static String machine() {
    String cpu = "";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("");
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    try {
      return InetAddress.getLocalHost().getHostName() + (cpu.isEmpty() ? "" : " (" + cpu + ")");
    } catch (IOException e) {
      return cpu;
    }
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
