package io.epruntime.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link HtDispatchCombineBenchmark} through JMH and writes
 * {@code <out>/cpu-ht-<host>-<date>.json}: machine, date, the exact command, bytes per op, GB/s of
 * dispatch, combine, dispatch+combine and the plain copy, and the ratios to the copy.
 *
 * <p>Arguments (all optional): {@code --out DIR} (bench/results), {@code --warmup N} (2),
 * {@code --iterations N} (5), {@code --forks N} (1), {@code --tokens T} (4096), {@code --hidden H}
 * (7168), {@code --heap SIZE} (20g, for the forked JVM), {@code --jvm-args "ARGS"} (-XX:+AlwaysPreTouch,
 * so that no measured iteration pays the first touch of heap pages), {@code --note TEXT}, {@code --command TEXT}
 * (the shell command line to record; run-cpu-bench.sh passes its own).
 */
public final class CpuBenchReport {
  private CpuBenchReport() {}

  public static void main(String[] args) throws RunnerException, IOException {
    Map<String, String> a = new LinkedHashMap<>(Map.of(
        "out", "bench/results", "warmup", "2", "iterations", "5", "forks", "1", "tokens", "4096", "hidden", "7168",
        "heap", "20g", "jvm-args", "-XX:+AlwaysPreTouch", "note", "", "command", "java -cp bench/target/benchmarks.jar " + CpuBenchReport.class.getName()));
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--") || !a.containsKey(args[i].substring(2))) {
        throw new IllegalArgumentException(args[i] + " is not an option; allowed: --" + String.join(", --", a.keySet()));
      }
      a.put(args[i].substring(2), args[i + 1]);
    }
    int tokens = Integer.parseInt(a.get("tokens"));
    int hidden = Integer.parseInt(a.get("hidden"));
    String started = DateTimeFormatter.ISO_INSTANT.format(Instant.now());
    String loadBefore = read("/proc/loadavg").trim();
    Options opts = new OptionsBuilder()
        .include(HtDispatchCombineBenchmark.class.getName() + ".*")
        .warmupIterations(Integer.parseInt(a.get("warmup")))
        .measurementIterations(Integer.parseInt(a.get("iterations")))
        .forks(Integer.parseInt(a.get("forks")))
        .param("tokens", a.get("tokens"))
        .param("hidden", a.get("hidden"))
        .jvmArgs(jvmArgs(a))
        .build();
    Collection<RunResult> results = new Runner(opts).run();

    long bytes = HtWorld.bytes(tokens, hidden);
    Map<String, double[]> ms = new LinkedHashMap<>();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      name = name.substring(name.lastIndexOf('.') + 1);
      ms.put(name, new double[] {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()});
    }
    for (String name : new String[] {"plainCopy", "htDispatch", "htCombine", "htDispatchCombine"}) {
      if (!ms.containsKey(name)) {
        throw new IllegalStateException(name + " produced no result (did its forked JVM fail? see the JMH output above);"
            + " no JSON written");
      }
    }
    double copy = gbps(bytes, ms.get("plainCopy")[0]);
    double dispatch = gbps(bytes, ms.get("htDispatch")[0]);
    double combine = gbps(bytes, ms.get("htCombine")[0]);
    double both = gbps(2 * bytes, ms.get("htDispatchCombine")[0]);

    StringBuilder j = new StringBuilder("{\n");
    field(j, "benchmark", str("CPU HT dispatch + combine, reference engine, 8 ranks in one JVM, one thread"));
    field(j, "date", str(started));
    field(j, "command", str(a.get("command")));
    field(j, "machine", "{\"host\": " + str(host()) + ", \"cpu_model\": " + str(cpuModel()) + ", \"cores\": "
        + Runtime.getRuntime().availableProcessors() + ", \"memory\": " + str(memTotal()) + ", \"os\": "
        + str(System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"))
        + ", \"jvm\": " + str(System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
        + ", \"loadavg_before\": " + str(loadBefore) + ", \"loadavg_after\": " + str(read("/proc/loadavg").trim()) + "}");
    field(j, "shape", "{\"ranks\": " + HtWorld.RANKS + ", \"tokens_per_rank\": " + tokens + ", \"hidden\": " + hidden
        + ", \"topk\": " + HtWorld.TOPK + ", \"experts\": " + HtWorld.EXPERTS + ", \"dtype\": \"bf16\", \"masked_slots\": 0}");
    field(j, "jmh", "{\"mode\": \"SingleShotTime\", \"forks\": " + a.get("forks") + ", \"warmup\": " + a.get("warmup")
        + ", \"iterations\": " + a.get("iterations") + ", \"fork_jvm_args\": " + str(String.join(" ", jvmArgs(a))) + "}");
    field(j, "bytes_per_op", bytes + ", \"bytes_rule\": \"DeepEP: received rows x hidden x 2, summed over ranks; dispatch+combine counts it twice\"");
    StringBuilder t = new StringBuilder("{");
    for (Map.Entry<String, double[]> e : ms.entrySet()) {
      t.append(t.length() > 1 ? ", " : "").append(str(e.getKey())).append(": {\"ms\": ").append(fmt(e.getValue()[0]))
          .append(", \"error_ms\": ").append(fmt(e.getValue()[1])).append('}');
    }
    field(j, "times", t.append('}').toString());
    field(j, "gb_per_s", "{\"plain_copy\": " + fmt(copy) + ", \"ht_dispatch\": " + fmt(dispatch) + ", \"ht_combine\": "
        + fmt(combine) + ", \"ht_dispatch_combine\": " + fmt(both) + "}");
    field(j, "ratio_to_copy", "{\"ht_dispatch\": " + fmt(dispatch / copy) + ", \"ht_combine\": " + fmt(combine / copy)
        + ", \"ht_dispatch_combine\": " + fmt(both / copy) + ", \"goal\": 0.5}");
    j.append("  \"note\": ").append(str(a.get("note"))).append("\n}\n");

    Path dir = Path.of(a.get("out"));
    Files.createDirectories(dir);
    Path file = dir.resolve("cpu-ht-" + host() + "-" + started.replace(":", "").replaceAll("\\..*", "") + ".json");
    Files.writeString(file, j);
    System.out.println(j);
    System.out.println("wrote " + file);
  }

  private static String[] jvmArgs(Map<String, String> a) {
    String extra = a.get("jvm-args").trim();
    String heap = "-Xms" + a.get("heap") + " -Xmx" + a.get("heap");
    return (heap + (extra.isEmpty() ? "" : " " + extra)).split("\\s+");
  }

  private static double gbps(long bytes, double ms) {
    return bytes / (ms * 1e-3) / 1e9;
  }

  private static void field(StringBuilder j, String name, String json) {
    j.append("  ").append(str(name)).append(": ").append(json).append(",\n");
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  private static String str(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ") + "\"";
  }

  private static String read(String path) {
    try {
      return Files.readString(Path.of(path));
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String cpuModel() {
    return read("/proc/cpuinfo").lines().filter(l -> l.startsWith("model name")).findFirst()
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
  }

  private static String memTotal() {
    return read("/proc/meminfo").lines().filter(l -> l.startsWith("MemTotal")).findFirst()
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
