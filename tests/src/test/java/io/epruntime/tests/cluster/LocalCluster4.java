package io.epruntime.tests.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * A cluster of real node processes on loopback ({@code NodeMain} in fresh JVMs, the test's class
 * path, free ports), with failure-detector and split-brain timings tuned down so that a lost node
 * is noticed in seconds. Ranks keep their Pekko and management ports across restarts, as a
 * StatefulSet pod keeps its name. {@link #close} kills every process it started.
 */
final class LocalCluster4 implements AutoCloseable {
  static final int WORLD = 4;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path logDir;
  private final int[] pekkoPorts = new int[WORLD];
  private final int[] managementPorts = new int[WORLD];
  private final Map<Integer, Process> processes = new LinkedHashMap<>();
  private final List<Process> extras = new ArrayList<>();
  private final List<String> extraProps;
  /** The cluster's key store when it runs on mutual TLS ({@link #withTls}), else null. */
  private Path keyStore;
  static final String KEY_PASSWORD = "local-cluster-4";

  LocalCluster4(String name, List<String> extraProps) {
    this.extraProps = extraProps;
    this.logDir = Path.of("target", "cluster-logs", name);
    try {
      Files.createDirectories(logDir);
      try (var old = Files.list(logDir)) {
        for (Path f : old.toList()) {
          Files.deleteIfExists(f); // logs of an earlier run
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int r = 0; r < WORLD; r++) {
      pekkoPorts[r] = freePort();
      managementPorts[r] = freePort();
    }
  }

  /** Remoting on mutual TLS with a fresh key store, as ep run and the StatefulSet run it; before {@link #startAll}. */
  LocalCluster4 withTls() {
    keyStore = logDir.resolve("cluster.p12").toAbsolutePath();
    io.epruntime.transport.RemotingTls.generate(keyStore, KEY_PASSWORD);
    return this;
  }

  /** The cluster's key store ({@link #withTls}), or null. */
  Path keyStore() {
    return keyStore;
  }

  /** A client's config for this cluster: its key store when it runs on TLS. */
  com.typesafe.config.Config clientConfig() {
    com.typesafe.config.Config base = com.typesafe.config.ConfigFactory.load();
    return keyStore == null ? base : com.typesafe.config.ConfigFactory.parseMap(Map.of(
        io.epruntime.transport.RemotingTls.KEY_STORE, keyStore.toString(),
        io.epruntime.transport.RemotingTls.PASSWORD, KEY_PASSWORD)).withFallback(base);
  }

  /** Test world: H = 128, E = 8, K = 2, LL capacity 16 tokens per rank, bf16. */
  static List<String> worldProps() {
    return List.of("-Dep.world-size=4", "-Dep.experts=8", "-Dep.hidden=128", "-Dep.topk=2", "-Dep.ll-max-tokens-per-rank=16",
        "-Dep.dtype=bf16");
  }

  void startAll() {
    for (int r = 0; r < WORLD; r++) {
      start(r);
    }
  }

  /** Starts (or restarts) rank {@code r} on its ports. */
  void start(int r) {
    processes.put(r, launch(r, pekkoPorts[r], managementPorts[r], "node" + r));
  }

  /** Starts a node process outside the world's port plan (duplicate or bad rank); killed on close. */
  Process startExtra(int rank, String logName) {
    Process p = launch(rank, freePort(), freePort(), logName);
    extras.add(p);
    return p;
  }

  private Process launch(int rank, int pekkoPort, int managementPort, String logName) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx192m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"),
        "-Dep.node.rank=" + rank,
        "-Dep.node.host=127.0.0.1",
        "-Dep.backend=cpu",
        // Every node a seed, as ep run and the StatefulSet list them.
        "-Dep.cluster.seed-nodes.0=127.0.0.1:" + pekkoPorts[0],
        "-Dep.cluster.seed-nodes.1=127.0.0.1:" + pekkoPorts[1],
        "-Dep.cluster.seed-nodes.2=127.0.0.1:" + pekkoPorts[2],
        "-Dep.cluster.seed-nodes.3=127.0.0.1:" + pekkoPorts[3],
        "-Dpekko.remote.artery.canonical.port=" + pekkoPort,
        "-Dpekko.management.http.port=" + managementPort,
        "-Dep.health.interval=500ms",
        "-Dep.health.probe-misses=6",
        "-Dep.step-timeout=10s",
        "-Dep.bootstrap-timeout=10s",
        "-Dpekko.cluster.failure-detector.heartbeat-interval=500ms",
        "-Dpekko.cluster.failure-detector.acceptable-heartbeat-pause=2500ms",
        "-Dpekko.cluster.split-brain-resolver.stable-after=3s",
        "-Dpekko.cluster.down-removal-margin=1s",
        "-Dpekko.cluster.singleton.hand-over-retry-interval=500ms",
        "-Dpekko.loglevel=INFO"));
    cmd.addAll(worldProps());
    cmd.addAll(extraProps);
    if (keyStore != null) {
      cmd.add("-Dep.security.key-store=" + keyStore);
    }
    cmd.add("io.epruntime.coordinator.NodeMain");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (keyStore != null) {
      pb.environment().put("EP_KEY_STORE_PASSWORD", KEY_PASSWORD);
    }
    File log = logDir.resolve(logName + ".log").toFile();
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log));
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** kill -9 of rank {@code r}'s process; returns once the process is gone. */
  void kill(int r) throws InterruptedException {
    Process p = processes.remove(r);
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
    deleteAeronDirs(p.pid());
  }

  /**
   * Sends {@code signal} ({@code STOP}, {@code CONT}, {@code KILL}, ...) to rank {@code r}'s process
   * with kill(1): {@link ProcessHandle} has no signal API.
   */
  void signal(int r, String signal) throws IOException, InterruptedException {
    long pid = processes.get(r).pid();
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " + new String(kill.getInputStream().readAllBytes()));
    }
  }

  /** Rank {@code r}'s current process. */
  Process process(int r) {
    return processes.get(r);
  }

  /** Pekko address of rank {@code r}'s node (the same across restarts). */
  String pekkoAddress(int r) {
    return "pekko://ep@127.0.0.1:" + pekkoPorts[r];
  }

  /**
   * Forgets rank {@code r}'s process, which must have exited by itself, and removes what it left
   * behind; returns its exit code.
   */
  int exited(int r) {
    Process p = processes.remove(r);
    if (p.isAlive()) {
      processes.put(r, p);
      throw new IllegalStateException("rank " + r + " (pid " + p.pid() + ") is still running");
    }
    deleteAeronDirs(p.pid());
    return p.exitValue();
  }

  /** A killed node cannot delete its media driver's directory; do it for it. */
  private static void deleteAeronDirs(long pid) {
    for (File dir : aeronDirectories(pid)) {
      try (var walk = Files.walk(dir.toPath())) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // best effort: a leftover directory is only disk space
      }
    }
  }

  /** The media driver directories ({@code ep-aeron-<pid>-*}) that process {@code pid} has, or left behind. */
  static List<File> aeronDirectories(long pid) {
    List<File> out = new ArrayList<>();
    for (String base : List.of("/dev/shm", System.getProperty("java.io.tmpdir"))) {
      File[] dirs = new File(base).listFiles((d, name) -> name.startsWith("ep-aeron-" + pid + "-"));
      if (dirs != null) {
        out.addAll(List.of(dirs));
      }
    }
    return out;
  }

  List<String> gateways(int... order) {
    List<String> out = new ArrayList<>();
    for (int r : order) {
      out.add("127.0.0.1:" + pekkoPorts[r]);
    }
    return out;
  }

  int pekkoPort(int r) {
    return pekkoPorts[r];
  }

  int managementPort(int r) {
    return managementPorts[r];
  }

  Path log(String name) {
    return logDir.resolve(name + ".log");
  }

  /** HTTP status of {@code path} on rank {@code r}'s management port, -1 when it does not answer. */
  int httpStatus(int r, String path) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + managementPorts[r] + path).toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(2000);
      int code = c.getResponseCode();
      c.disconnect();
      return code;
    } catch (IOException e) {
      return -1;
    }
  }

  String httpBody(int r, String path) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + managementPorts[r] + path).toURL().openConnection();
    c.setConnectTimeout(1000);
    c.setReadTimeout(2000);
    try (var in = c.getInputStream()) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /**
   * Rank {@code r}'s node as a member of the cluster seen from rank {@code observer}'s node (Pekko
   * Management's {@code /cluster/members}): its status ({@code Up}, {@code Down}, ...),
   * {@code "absent"} once it was removed, or {@code "no answer"} when {@code observer} does not answer.
   */
  String memberStatus(int observer, int r) {
    try {
      JsonNode members = JSON.readTree(httpBody(observer, "/cluster/members")).path("members");
      for (JsonNode m : members) {
        if (m.path("node").asText().equals(pekkoAddress(r))) {
          return m.path("status").asText();
        }
      }
      return "absent";
    } catch (IOException e) {
      return "no answer";
    }
  }

  /**
   * One cluster: every node answers with the same {@link #WORLD} members, all Up, and the same
   * oldest member (where the coordinator singleton runs); else what differs, node by node.
   */
  String clusterSplit() {
    List<String> views = new ArrayList<>();
    for (int observer = 0; observer < WORLD; observer++) {
      try {
        JsonNode body = JSON.readTree(httpBody(observer, "/cluster/members"));
        List<String> up = new ArrayList<>();
        for (JsonNode m : body.path("members")) {
          if (m.path("status").asText().equals("Up")) {
            up.add(m.path("node").asText());
          }
        }
        java.util.Collections.sort(up);
        views.add("oldest " + body.path("oldest").asText() + ", Up " + up);
      } catch (IOException e) {
        views.add("no answer");
      }
    }
    boolean one = views.stream().distinct().count() == 1 && views.get(0).split(", ").length - 1 == WORLD;
    return one ? null : String.join(" | ", views);
  }

  /**
   * Waits for {@code condition}, checked every {@code every} on a timer thread, failing after
   * {@code timeout}; the test thread blocks on the outcome, it never sleeps.
   */
  static void await(String what, Duration timeout, Duration every, BooleanSupplier condition) throws InterruptedException {
    CompletableFuture<Void> met = new CompletableFuture<>();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      timer.scheduleWithFixedDelay(() -> {
        if (condition.getAsBoolean()) {
          met.complete(null);
        }
      }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
      met.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out after " + timeout + " waiting for " + what);
    } catch (ExecutionException e) {
      throw new AssertionError("checking " + what + " failed", e.getCause());
    } finally {
      timer.shutdownNow();
    }
  }

  @Override
  public void close() {
    List<Process> all = new ArrayList<>(processes.values());
    all.addAll(extras);
    for (Process p : all) {
      p.destroyForcibly();
    }
    for (Process p : all) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      deleteAeronDirs(p.pid());
    }
    processes.clear();
    extras.clear();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
