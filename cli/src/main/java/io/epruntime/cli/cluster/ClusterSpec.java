package io.epruntime.cli.cluster;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to start a local cluster: where it listens, which backend, the EP shape as
 * configuration keys ({@code ep.experts}, ...), JVM options and classpath of the rank processes,
 * the run directory that receives their logs, and which GPU each rank gets (nccl).
 */
public record ClusterSpec(
    int ranks,
    String host,
    PortPlan ports,
    String backend,
    Map<String, String> settings,
    String javaExecutable,
    List<String> jvmOptions,
    String classpath,
    Path runDir,
    GpuPlacement gpus,
    ClusterKey key) {

  /**
   * Small-heap, quick-start options (several ranks share a laptop's cores and memory), plus the
   * module opens Agrona's transport poller needs on Java 17.
   */
  public static final List<String> DEFAULT_JVM_OPTIONS = List.of(
      "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/java.util.zip=ALL-UNNAMED");

  /** The java binary of this JVM, so ranks run the same Java as the CLI. */
  public static String currentJava() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The address form {@code ep.cluster.seed-nodes} takes. */
  static String seedNode(String host, int port) {
    return host + ":" + port;
  }
}
