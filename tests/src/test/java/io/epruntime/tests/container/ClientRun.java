package io.epruntime.tests.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@link ContainerClientMain} in a child JVM with the test's class path and a hosts file for
 * the pods' DNS names, and returns what it printed: at once ({@link #run}), or while it runs
 * ({@link #start}, then {@link Running#stop}).
 */
record ClientRun(int exitCode, List<String> lines, Path log) {

  static ClientRun run(Path workDir, String name, String hostsFile, List<String> gateways, String clientHost, int steps, long seed, Duration timeout)
      throws IOException, InterruptedException {
    return start(workDir, name, hostsFile, gateways, clientHost, steps, seed, null).await(timeout);
  }

  /** The cluster's key store the clients present (as the pods' Secret holds it); set once by the test. */
  static Path keyStore;
  static String keyStorePassword;

  /**
   * Starts the client and returns while it runs. With a {@code stopFile} it runs at least
   * {@code steps} steps and then goes on until {@link Running#stop} creates that file.
   */
  static Running start(Path workDir, String name, String hostsFile, List<String> gateways, String clientHost, int steps, long seed, Path stopFile)
      throws IOException {
    Path hosts = workDir.resolve(name + ".hosts");
    Files.writeString(hosts, hostsFile);
    Path log = workDir.resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djdk.net.hosts.file=" + hosts.toAbsolutePath(),
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "-Xmx512m", "-Dep.security.key-store=" + (keyStore == null ? "" : keyStore.toAbsolutePath()),
        "-cp", snapshotClassPath(workDir.resolve("client-classpath")),
        ContainerClientMain.class.getName(), String.join(",", gateways), clientHost, Integer.toString(steps), Long.toString(seed)));
    if (stopFile != null) {
      cmd.add(stopFile.toAbsolutePath().toString());
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    if (keyStorePassword != null) {
      pb.environment().put("EP_KEY_STORE_PASSWORD", keyStorePassword);
    }
    Process p = pb.start();
    return new Running(p, log, stopFile);
  }

  /** A client still running. */
  record Running(Process process, Path log, Path stopFile) {
    /** What it printed so far. */
    List<String> lines() throws IOException {
      return Files.readAllLines(log, StandardCharsets.UTF_8);
    }

    /** The steps it completed so far. */
    List<Step> steps() throws IOException {
      return Step.parse(lines());
    }

    /** Lets the client finish the step it is on, then waits for it to end. */
    ClientRun stop(Duration timeout) throws IOException, InterruptedException {
      Files.createFile(stopFile);
      return await(timeout);
    }

    /** Waits for the client to end (killing it after {@code timeout}; the exit code is then -1). */
    ClientRun await(Duration timeout) throws IOException, InterruptedException {
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        return new ClientRun(-1, lines(), log);
      }
      return new ClientRun(process.exitValue(), lines(), log);
    }
  }

  /** One {@code STEP <i> ok ...} line: the generation it completed in, its attempts, and when (wall clock). */
  record Step(int index, long generation, int attempts, long atMillis, String line) {
    private static final Pattern OK = Pattern.compile(
        "STEP (\\d+) ok .* generation=(\\d+) attempts=(\\d+) .*at_ms=(\\d+)");

    static List<Step> parse(List<String> lines) {
      List<Step> out = new ArrayList<>();
      for (String l : lines) {
        Matcher m = OK.matcher(l);
        if (m.matches()) {
          out.add(new Step(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), Integer.parseInt(m.group(3)), Long.parseLong(m.group(4)), l));
        }
      }
      return out;
    }
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
