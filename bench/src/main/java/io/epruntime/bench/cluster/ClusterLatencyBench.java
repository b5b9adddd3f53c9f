package io.epruntime.bench.cluster;

import io.epruntime.bench.aeron.AeronPingPong;
import io.epruntime.client.ClientSettings;
import io.epruntime.client.EpClient;
import io.epruntime.client.StepRequest;
import io.epruntime.client.StepResult;
import io.epruntime.engine.RankInput;
import io.epruntime.engine.Workloads;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.transport.AeronNode;
import io.epruntime.transport.TransportSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end step latency of a 4-process cluster on loopback (cpu backend), one step in flight, for
 * small steps (T tokens per rank, H = 1024), next to a raw Aeron ping-pong round trip measured in
 * the same run with the nodes' transport settings and with the other idle wait; then the idle CPU
 * of every node process over a window, from /proc. Writes one JSON file.
 *
 * <pre>
 * java -cp &lt;ep-bench class path&gt; io.epruntime.bench.cluster.ClusterLatencyBench \
 *   --tokens 1,8,128 --warmup 200 --steps 2000 --idle-seconds 30 --out bench/results/cluster-latency.json
 * </pre>
 */
public final class ClusterLatencyBench {
  private ClusterLatencyBench() {}

  public static void main(String[] args) throws Exception {
    String tokenList = arg(args, "--tokens", "1,8,128"); // "none": idle CPU only
    int[] tokens = tokenList.equals("none") ? new int[0]
        : Arrays.stream(tokenList.split(",")).mapToInt(Integer::parseInt).toArray();
    int warmup = Integer.parseInt(arg(args, "--warmup", "200"));
    int steps = Integer.parseInt(arg(args, "--steps", "2000"));
    int idleSeconds = Integer.parseInt(arg(args, "--idle-seconds", "30"));
    int settleSeconds = Integer.parseInt(arg(args, "--idle-settle-seconds", "5"));
    Path out = Path.of(arg(args, "--out", "bench/results/cluster-latency.json"));
    EpConfig world = new EpConfig(4, 32, 1024, 4, 128, 1, io.epruntime.protocol.DType.BF16);
    List<String> props = new ArrayList<>(List.of("-Dep.world-size=4", "-Dep.experts=32", "-Dep.hidden=1024", "-Dep.topk=4",
        "-Dep.ll-max-tokens-per-rank=128", "-Dep.dtype=bf16"));
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--node-prop")) {
        props.add("-D" + args[i + 1]); // e.g. ep.transport.idle-max-park=50us, for every node
      }
    }

    Map<String, Object> json = new LinkedHashMap<>();
    json.put("benchmark", "cluster-step-latency");
    json.put("date", java.time.Instant.now().toString());
    json.put("command", "java -cp <ep-bench class path> " + ClusterLatencyBench.class.getName() + " " + String.join(" ", args));
    json.put("machine", Json.machine());
    json.put("cpus", Runtime.getRuntime().availableProcessors());
    json.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    json.put("setup", "4 NodeMain processes + this client process on 127.0.0.1, cpu backend; SubmitStep and RunStep over "
        + "Aeron, the rest of the control over Artery TCP; Aeron UDP for tensors and the cpu mesh; one step in flight; world "
        + world);

    try (NodeProcesses nodes = new NodeProcesses(4, out.getParent().resolve("cluster-latency-logs"), props);
         EpClient client = EpClient.connect(ClientSettings.of(nodes.gateways()).withConnectTimeout(Duration.ofSeconds(180))
             .withMaxRetries(0))) {
      json.put("node_props", props.subList(6, props.size()));
      json.put("client_transport_idle_max_park", System.getProperty("ep.transport.idle-max-park", "reference.conf default"));
      json.put("spin_window", spinWindow(props));
      // Whether this host has the cores for its transport threads (4 nodes, this client) to spin.
      json.put("spin_allowed_here", AeronNode.spinningAllowedHere());
      List<Map<String, Object>> rows = new ArrayList<>();
      for (int t : tokens) {
        double[] before = rankStepSeconds(nodes);
        Map<String, Object> row = measure(client, world, t, warmup, steps);
        double[] after = rankStepSeconds(nodes);
        // Mean time a rank spent inside its backend's runStep (RunStep and tensors in hand to output ready).
        row.put("rank_backend_mean_us", Math.round((after[0] - before[0]) / Math.max(1, after[1] - before[1]) * 1e6 * 10) / 10.0);
        rows.add(row);
      }
      json.put("steps", rows);
      // The raw round trip with the nodes' transport settings, for reference.
      TransportSettings ts = TransportSettings.defaults();
      AeronPingPong.Result rtt;
      try (AeronNode a = AeronNode.start(ts); AeronNode b = AeronNode.start(ts); AeronPingPong pp = new AeronPingPong(a, b)) {
        rtt = pp.measure(64, 2000, 20000);
      }
      json.put("aeron_pingpong_64B", Map.of("p50_us", rtt.p50Us(), "p99_us", rtt.p99Us(), "mean_us", rtt.meanUs(),
          "setup", "two AeronNodes in this process, UDP over 127.0.0.1, the nodes' transport defaults"));
      for (Map<String, Object> row : rows) {
        row.put("p50_over_aeron_rtt_p50", Math.round((double) row.get("p50_us") / rtt.p50Us() * 100) / 100.0);
      }
      json.put("idle_cpu", idleCpu(nodes.pids(), settleSeconds, idleSeconds));
    }
    json.put("loadavg_at_end", Json.loadAverage());
    Files.createDirectories(out.getParent());
    Files.writeString(out, Json.render(json));
    System.out.println(Json.render(json));
  }

  /** The nodes' spin window: the last --node-prop that sets it, else reference.conf's. */
  private static String spinWindow(List<String> props) {
    String key = "-Dep.transport.spin-window=";
    String v = TransportSettings.defaults().spinWindow().toNanos() / 1000 + "us (reference.conf)";
    for (String p : props) {
      if (p.startsWith(key)) {
        v = p.substring(key.length());
      }
    }
    return v;
  }

  private static Map<String, Object> measure(EpClient client, EpConfig world, int t, int warmup, int steps) throws Exception {
    int[] perRank = new int[world.worldSize()];
    Arrays.fill(perRank, t);
    List<RankInput> inputs = Workloads.random(world, perRank, 42 + t);
    List<HiddenStates> x = inputs.stream().map(RankInput::x).toList();
    List<Routing> routing = inputs.stream().map(RankInput::routing).toList();
    StepRequest req = new StepRequest(x, routing, ExpertKernelSpec.scale(), null);
    for (int i = 0; i < warmup; i++) {
      client.submit(req).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    long[] lat = new long[steps];
    String mode = "";
    for (int i = 0; i < steps; i++) {
      long start = System.nanoTime();
      StepResult r = client.submit(req).toCompletableFuture().get(30, TimeUnit.SECONDS);
      lat[i] = System.nanoTime() - start;
      mode = r.mode().name();
    }
    Arrays.sort(lat);
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("tokens_per_rank", t);
    row.put("hidden", world.hidden());
    row.put("mode", mode);
    row.put("steps", steps);
    row.put("p50_us", lat[steps / 2] / 1e3);
    row.put("p99_us", lat[(int) Math.min(steps - 1, Math.floor(steps * 0.99))] / 1e3);
    row.put("mean_us", Arrays.stream(lat).average().orElse(0) / 1e3);
    System.out.println("T=" + t + " " + row);
    return row;
  }

  /** Sum over the ranks of ep_step_seconds_sum and ep_step_seconds_count, from each node's /metrics. */
  private static double[] rankStepSeconds(NodeProcesses nodes) throws Exception {
    double sum = 0;
    double count = 0;
    for (int r = 0; r < 4; r++) {
      for (String line : metrics(nodes.managementPort(r)).split("\n")) {
        if (line.startsWith("ep_step_seconds_sum ")) {
          sum += Double.parseDouble(line.substring(line.indexOf(' ') + 1));
        } else if (line.startsWith("ep_step_seconds_count ")) {
          count += Double.parseDouble(line.substring(line.indexOf(' ') + 1));
        }
      }
    }
    return new double[] {sum, count};
  }

  /**
   * A node's /metrics text. The world can be Ready before a node's management endpoint is bound
   * (seconds apart on a loaded machine), so a refused connection is retried for up to a minute.
   */
  private static String metrics(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (true) {
      var c = (java.net.HttpURLConnection) java.net.URI.create("http://127.0.0.1:" + port + "/metrics").toURL().openConnection();
      try (var in = c.getInputStream()) {
        return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      } catch (java.net.ConnectException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        TimeUnit.MILLISECONDS.sleep(200); // the endpoint binds within seconds of start
      }
    }
  }

  /**
   * CPU of every node process over {@code seconds} of an idle (Ready, no steps) cluster, percent of
   * one core; and, per node, the threads that used the most (grouped by name) with how often they
   * woke, so that a reader sees where an idle node's CPU goes.
   */
  private static Map<String, Object> idleCpu(List<Long> pids, int settleSeconds, int seconds) throws Exception {
    TimeUnit.SECONDS.sleep(settleSeconds); // let the last steps' JIT compilation and GC finish before the window opens
    long[] before = new long[pids.size()];
    List<Map<Long, ProcCpu.ThreadSample>> threadsBefore = new ArrayList<>();
    for (int i = 0; i < pids.size(); i++) {
      before[i] = ProcCpu.cpuNanos(pids.get(i));
      threadsBefore.add(ProcCpu.threads(pids.get(i)));
    }
    long wallStart = System.nanoTime();
    TimeUnit.SECONDS.sleep(seconds);
    long wall = System.nanoTime() - wallStart;
    List<Double> percent = new ArrayList<>();
    List<List<Map<String, Object>>> topThreads = new ArrayList<>();
    for (int i = 0; i < pids.size(); i++) {
      percent.add(Math.round((ProcCpu.cpuNanos(pids.get(i)) - before[i]) * 10000.0 / wall) / 100.0);
      topThreads.add(topThreads(threadsBefore.get(i), ProcCpu.threads(pids.get(i)), wall));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("settle_s", settleSeconds);
    m.put("window_s", seconds);
    m.put("source", "/proc/<pid>/stat utime+stime of each node process; threads from /proc/<pid>/task/*/{stat,status}");
    m.put("percent_of_one_core_per_process", percent);
    m.put("max_percent", percent.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    m.put("goal_percent", 2.0);
    m.put("top_threads_per_process", topThreads);
    return m;
  }

  /** The 8 thread names with the most CPU over the window: percent of one core and wake-ups per second. */
  private static List<Map<String, Object>> topThreads(Map<Long, ProcCpu.ThreadSample> before, Map<Long, ProcCpu.ThreadSample> after,
      long wallNanos) {
    Map<String, long[]> byName = new java.util.TreeMap<>();
    after.forEach((tid, a) -> {
      ProcCpu.ThreadSample b = before.get(tid);
      long[] acc = byName.computeIfAbsent(a.name(), n -> new long[3]);
      acc[0] += a.cpuNanos() - (b == null ? 0 : b.cpuNanos());
      acc[1] += a.contextSwitches() - (b == null ? 0 : b.contextSwitches());
      acc[2]++;
    });
    double seconds = wallNanos / 1e9;
    return byName.entrySet().stream()
        .sorted(java.util.Comparator.<Map.Entry<String, long[]>>comparingLong(e -> e.getValue()[0])
            .thenComparingLong(e -> e.getValue()[1]).reversed())
        .limit(8)
        .map(e -> {
          Map<String, Object> t = new LinkedHashMap<>();
          t.put("thread", e.getKey());
          t.put("count", e.getValue()[2]);
          t.put("percent", Math.round(e.getValue()[0] * 10000.0 / wallNanos) / 100.0);
          t.put("wakeups_per_s", Math.round(e.getValue()[1] / seconds));
          return t;
        })
        .toList();
  }

  private static String arg(String[] args, String name, String def) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return def;
  }
}
