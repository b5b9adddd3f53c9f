package io.epruntime.chaos;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.epruntime.transport.RemotingTls;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Four real node processes, each in its own namespace of a {@link NetLab}, on mutual TLS with a
 * fresh key, with failure detection tuned down so that a fault is noticed in seconds (as the
 * cluster tests do). A rank restarts on its address and ports, as a StatefulSet pod would.
 */
final class ChaosCluster implements AutoCloseable {
  static final int WORLD = 4;
  static final int REMOTING = 17355;
  static final int MANAGEMENT = 7626;
  static final int AERON = 40123;
  private static final String PASSWORD = "chaos-cluster";

  private final NetLab lab;
  private final Path dir;
  private final Path keyStore;
  private final Map<Integer, Process> processes = new java.util.concurrent.ConcurrentHashMap<>();
  /** Ranks killed on purpose and not yet started again: the kubelet leaves them down. */
  private final java.util.Set<Integer> heldDown = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Restarts a rank whose process exited by itself (a downed node exits), as the kubelet restarts a pod. */
  private final java.util.concurrent.ScheduledExecutorService kubelet = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
      r -> {
        Thread t = new Thread(r, "chaos-kubelet");
        t.setDaemon(true);
        return t;
      });

  ChaosCluster(NetLab lab, Path dir) throws IOException {
    this.lab = lab;
    this.dir = Files.createDirectories(dir);
    this.keyStore = dir.resolve("cluster.p12").toAbsolutePath();
    RemotingTls.generate(keyStore, PASSWORD);
  }

  void startAll() {
    for (int r = 0; r < WORLD; r++) {
      start(r);
    }
    kubelet.scheduleWithFixedDelay(this::restartExited, 500, 500, TimeUnit.MILLISECONDS);
  }

  synchronized void start(int r) {
    heldDown.remove(r);
    List<String> java = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx192m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"),
        "-Dep.node.rank=" + r, "-Dep.node.host=" + lab.ip(r), "-Dep.backend=cpu",
        "-Dep.security.key-store=" + keyStore,
        "-Dpekko.remote.artery.canonical.port=" + REMOTING, "-Dpekko.management.http.port=" + MANAGEMENT,
        "-Dep.transport.bind-host=" + lab.ip(r), "-Dep.transport.port=" + AERON,
        "-Dep.world-size=4", "-Dep.experts=8", "-Dep.hidden=128", "-Dep.topk=2", "-Dep.ll-max-tokens-per-rank=16", "-Dep.dtype=bf16",
        "-Dep.health.interval=500ms", "-Dep.health.probe-misses=6", "-Dep.step-timeout=10s", "-Dep.input-deadline=2s",
        "-Dep.bootstrap-timeout=10s",
        "-Dpekko.cluster.failure-detector.heartbeat-interval=500ms",
        "-Dpekko.cluster.failure-detector.acceptable-heartbeat-pause=2500ms",
        "-Dpekko.cluster.split-brain-resolver.stable-after=3s", "-Dpekko.cluster.down-removal-margin=1s",
        "-Dpekko.cluster.singleton.hand-over-retry-interval=500ms"));
    for (int s = 0; s < WORLD; s++) {
      java.add("-Dep.cluster.seed-nodes." + s + "=" + lab.ip(s) + ":" + REMOTING);
    }
    java.add("io.epruntime.coordinator.NodeMain");
    ProcessBuilder pb = new ProcessBuilder(lab.command(r, java)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log(r).toFile()));
    pb.environment().put("EP_KEY_STORE_PASSWORD", PASSWORD);
    try {
      processes.put(r, pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** kill -9; returns once the process is gone. It stays down until {@link #start}. */
  synchronized void kill(int r) throws InterruptedException {
    heldDown.add(r);
    Process p = processes.remove(r);
    if (p != null) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  void signal(int r, String signal) throws IOException, InterruptedException {
    Process p = processes.get(r);
    if (p != null) {
      new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The rank's process if it still runs, else null (it exited by itself, e.g. downed). */
  Process process(int r) {
    Process p = processes.get(r);
    return p != null && p.isAlive() ? p : null;
  }

  /** Restarts every rank whose process exited by itself (not one killed on purpose and held down). */
  synchronized List<Integer> restartExited() {
    List<Integer> restarted = new ArrayList<>();
    for (int r = 0; r < WORLD; r++) {
      Process p = processes.get(r);
      if (!heldDown.contains(r) && (p == null || !p.isAlive())) {
        start(r);
        restarted.add(r);
      }
    }
    return restarted;
  }

  /** The rank whose node is the cluster's oldest member (where the coordinator runs), or -1. */
  int coordinatorRank() {
    for (int observer = 0; observer < WORLD; observer++) {
      String body = http(observer, "/cluster/members");
      if (body == null) {
        continue;
      }
      int at = body.indexOf("\"oldest\"");
      if (at >= 0) {
        for (int r = 0; r < WORLD; r++) {
          if (body.substring(at, Math.min(body.length(), at + 120)).contains("@" + lab.ip(r) + ":")) {
            return r;
          }
        }
      }
    }
    return -1;
  }

  String http(int r, String path) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://" + lab.ip(r) + ":" + MANAGEMENT + path).toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(2000);
      try (var in = c.getInputStream()) {
        return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      return null;
    }
  }

  List<String> gateways() {
    List<String> out = new ArrayList<>();
    for (int r = 0; r < WORLD; r++) {
      out.add(lab.ip(r) + ":" + REMOTING);
    }
    return out;
  }

  /** A client's config: the bridge's host address for its remoting and Aeron, and the cluster key. */
  Config clientConfig() {
    return ConfigFactory.parseMap(Map.of("ep.client.host", lab.hostIp(), "ep.transport.bind-host", lab.hostIp(),
        RemotingTls.KEY_STORE, keyStore.toString(), RemotingTls.PASSWORD, PASSWORD)).withFallback(ConfigFactory.load());
  }

  Path log(int r) {
    return dir.resolve("node" + r + ".log");
  }

  @Override
  public void close() {
    kubelet.shutdownNow();
    for (Process p : processes.values()) {
      p.destroyForcibly();
    }
    for (Process p : processes.values()) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (File d : aeronDirs(p.pid())) {
        deleteTree(d.toPath());
      }
    }
    processes.clear();
  }

  private static List<File> aeronDirs(long pid) {
    File[] dirs = new File("/dev/shm").listFiles((d, name) -> name.startsWith("ep-aeron-" + pid + "-"));
    return dirs == null ? List.of() : List.of(dirs);
  }

  private static void deleteTree(Path root) {
    try (var walk = Files.walk(root)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }
}
