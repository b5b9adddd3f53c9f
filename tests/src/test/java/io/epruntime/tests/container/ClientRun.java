package io.epruntime.tests.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link ContainerClientMain} in a child JVM with the test's class path and a hosts file for
 * the pods' DNS names, and returns what it printed.
 */
record ClientRun(int exitCode, List<String> lines, Path log) {

  static ClientRun run(Path workDir, String name, String hostsFile, List<String> gateways, String clientHost, int steps, long seed, Duration timeout)
      throws IOException, InterruptedException {
    Path hosts = workDir.resolve(name + ".hosts");
    Files.writeString(hosts, hostsFile);
    Path log = workDir.resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djdk.net.hosts.file=" + hosts.toAbsolutePath(),
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "-Xmx512m", "-cp", snapshotClassPath(workDir.resolve("client-classpath")),
        ContainerClientMain.class.getName(), String.join(",", gateways), clientHost, Integer.toString(steps), Long.toString(seed)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      return new ClientRun(-1, Files.readAllLines(log, StandardCharsets.UTF_8), log);
    }
    return new ClientRun(p.exitValue(), Files.readAllLines(log, StandardCharsets.UTF_8), log);
  }

  /**
   * The test's class path with this project's own jars copied aside: they live in the local Maven
   * repository, where a concurrent {@code mvn install} may replace them while the client runs.
   * Surefire's manifest-only booter jar is unfolded into its Class-Path entries.
   */
  static String snapshotClassPath(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> entries = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      entries.addAll(unfold(Path.of(e)));
    }
    List<String> out = new ArrayList<>();
    for (String e : entries) {
      Path p = Path.of(e);
      if (Files.isRegularFile(p) && p.getFileName().toString().startsWith("ep-")) {
        Path copy = dir.resolve(p.getFileName());
        Files.copy(p, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        out.add(copy.toString());
      } else {
        out.add(e);
      }
    }
    return String.join(java.io.File.pathSeparator, out);
  }

  private static List<String> unfold(Path entry) throws IOException {
    if (!entry.getFileName().toString().startsWith("surefirebooter") || !Files.isRegularFile(entry)) {
      return List.of(entry.toString());
    }
    try (java.util.jar.JarFile jar = new java.util.jar.JarFile(entry.toFile())) {
      String cp = jar.getManifest().getMainAttributes().getValue("Class-Path");
      List<String> out = new ArrayList<>();
      for (String url : cp.trim().split("\\s+")) {
        out.add(Path.of(entry.getParent().toUri().resolve(url)).toString());
      }
      return out;
    }
  }

  List<String> steps(String outcome) {
    return lines.stream().filter(l -> l.startsWith("STEP ") && l.split(" ")[2].equals(outcome)).toList();
  }

  String summary() {
    return lines.stream().filter(l -> l.startsWith("RESULT ") || l.startsWith("CONNECT")).reduce((a, b) -> a + "; " + b).orElse("(no RESULT line; see " + log + ")");
  }
}
