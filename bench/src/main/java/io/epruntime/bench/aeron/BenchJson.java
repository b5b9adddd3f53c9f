package io.epruntime.bench.aeron;

import io.epruntime.bench.MachineFacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A flat JSON object with the machine, date and command every result file carries. */
final class BenchJson {
  private final Map<String, Object> fields = new LinkedHashMap<>();

  BenchJson(String benchmark, String command) {
    put("benchmark", benchmark);
    put("date", Instant.now().toString());
    put("command", command);
    put("machine", MachineFacts.machine());
    put("cpus", Runtime.getRuntime().availableProcessors());
    put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    put("loadavg_at_end", MachineFacts.loadAverage());
  }

  BenchJson put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  String render() {
    fields.put("loadavg_at_end", MachineFacts.loadAverage());
    return fields.entrySet().stream()
        .map(e -> "  \"" + e.getKey() + "\": " + value(e.getValue()))
        .collect(Collectors.joining(",\n", "{\n", "\n}\n"));
  }

  private static String value(Object v) {
    if (v instanceof Number || v instanceof Boolean) {
      return String.valueOf(v);
    }
    return "\"" + String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  void write(Path out) throws IOException {
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Files.writeString(out, render());
  }

  /** The command line as the user would type it, for the result file. */
  static String command(Class<?> main, String[] args) {
    return "java --add-opens java.base/sun.nio.ch=ALL-UNNAMED -cp bench/target/classes:<mvn -pl bench dependency:build-classpath> " + main.getName() + (args.length == 0 ? "" : " " + String.join(" ", args));
  }
}
