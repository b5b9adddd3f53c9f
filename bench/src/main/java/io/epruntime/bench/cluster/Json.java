package io.epruntime.bench.cluster;

import io.epruntime.bench.MachineFacts;
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
    return MachineFacts.machine();
  }

  static String loadAverage() {
    return MachineFacts.loadAverage();
  }
}
