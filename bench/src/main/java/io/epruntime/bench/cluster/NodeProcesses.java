package io.epruntime.bench.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code worldSize} node processes ({@code NodeMain}, this JVM's class path) on loopback with free
 * ports and the cpu backend; logs under {@code logDir}. Closing kills them.
 */
final class NodeProcesses implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final List<String> gateways = new ArrayList<>();
  private final int[] managementPorts;

  NodeProcesses(int worldSize, Path logDir, List<String> worldProps) throws IOException {
    Files.createDirectories(logDir);
    int[] pekko = new int[worldSize];
    int[] management = new int[worldSize];
    this.managementPorts = management;
    for (int r = 0; r < worldSize; r++) {
      pekko[r] = freePort();
      management[r] = freePort();
      gateways.add("127.0.0.1:" + pekko[r]);
    }
    for (int r = 0; r < worldSize; r++) {
      List<String> cmd = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx512m", "-XX:+UseSerialGC",
          "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
          "-cp", System.getProperty("java.class.path"),
          "-Dep.node.rank=" + r, "-Dep.node.host=127.0.0.1", "-Dep.backend=cpu",
          "-Dep.cluster.seed-nodes.0=" + gateways.get(0), "-Dep.cluster.seed-nodes.1=" + gateways.get(Math.min(1, worldSize - 1)),
          "-Dpekko.remote.artery.canonical.port=" + pekko[r], "-Dpekko.management.http.port=" + management[r]));
      cmd.addAll(worldProps);
      cmd.add("io.epruntime.coordinator.NodeMain");
      File log = logDir.resolve("node" + r + ".log").toFile();
      processes.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start());
    }
  }

  List<String> gateways() {
    return gateways;
  }

  /** Rank {@code r}'s Pekko Management port (/alive, /ready, /metrics). */
  int managementPort(int r) {
    return managementPorts[r];
  }

  List<Long> pids() {
    return processes.stream().map(Process::pid).toList();
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
