package io.epruntime.cli.bench;

import io.epruntime.cli.cluster.GpuProbe;
import io.epruntime.cli.run.JsonLine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.stream.Stream;

/** The machine a benchmark ran on, as recorded in every results file. */
final class Machine {
  private Machine() {}

  static String json() {
    StringJoiner gpus = new StringJoiner(",", "[", "]");
    for (String model : gpuModels()) {
      gpus.add(JsonLine.quote(model));
    }
    return new JsonLine()
        .put("hostname", hostname())
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .put("arch", System.getProperty("os.arch"))
        .put("cpus", Runtime.getRuntime().availableProcessors())
        // Shared machines: the load next door explains latencies better than the runtime does.
        .put("load_average_1m", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage())
        .put("memory_bytes", totalMemory())
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"))
        .put("gpus_visible", GpuProbe.visibleGpus())
        .putRaw("gpu_models", gpus.toString())
        .toString();
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static long totalMemory() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return -1;
  }

  /** "Model:" lines of the NVIDIA driver's per-GPU information files. */
  private static List<String> gpuModels() {
    List<String> out = new ArrayList<>();
    Path dir = Path.of("/proc/driver/nvidia/gpus");
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> gpus = Files.list(dir)) {
      for (Path g : gpus.sorted().toList()) {
        for (String line : Files.readAllLines(g.resolve("information"))) {
          if (line.startsWith("Model:")) {
            out.add(line.substring("Model:".length()).trim());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // Models are informative only; the count comes from GpuProbe.
    }
    return out;
  }
}
