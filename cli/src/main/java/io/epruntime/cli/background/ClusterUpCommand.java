package io.epruntime.cli.background;

import io.epruntime.cli.CliException;
import io.epruntime.cli.cluster.BackendChoice;
import io.epruntime.cli.cluster.ClusterKey;
import io.epruntime.cli.cluster.ClusterSpec;
import io.epruntime.cli.cluster.GpuPlacement;
import io.epruntime.cli.cluster.GpuProbe;
import io.epruntime.cli.cluster.LocalCluster;
import io.epruntime.cli.cluster.NodeLaunch;
import io.epruntime.cli.cluster.PortPlan;
import io.epruntime.cli.run.ClusterSession;
import io.epruntime.client.ClientSettings;
import io.epruntime.client.EpClient;
import io.epruntime.client.EpClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ep cluster up}: N rank processes on this machine that keep running after the command
 * returns, in their own session (a closing terminal does not end them), with the patient timings
 * of a shared machine. Returns once the world is Ready, printing the gateway and how to connect.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Start N ranks in the background (the embedded defaults: cpu backend unless every rank has a GPU) and "
        + "return once the world is Ready, printing the gateway, a client snippet and how to stop them.",
    exitCodeList = {
      "  0:the world is Ready; the ranks keep running",
      "  2:usage error: unknown flag or bad value",
      "  3:a cluster is already up in --dir, or the world did not become Ready in time (the ranks are stopped again)",
      "  4:environment problem: a port in use, no GPU for --backend nccl"
    })
public final class ClusterUpCommand implements Callable<Integer> {
  /** Remoting base port: rank r listens on base + r, its management on base + N + r, Aeron on base + 2N + r. */
  static final int DEFAULT_BASE_PORT = 17355;

  @Option(names = {"-n", "--ranks"}, defaultValue = "4", description = "Rank processes, the world size (default: ${DEFAULT-VALUE}).")
  int ranks;

  @Option(names = "--base-port", defaultValue = "" + DEFAULT_BASE_PORT,
      description = "Rank r's remoting port is B+r, its management port B+N+r, its Aeron port B+2N+r; 0 picks free ports "
          + "(default: ${DEFAULT-VALUE}, so rank 0's gateway is 127.0.0.1:17355).")
  int basePort;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address the ranks listen on and call themselves (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--backend", defaultValue = "auto", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  BackendChoice.Requested backend;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "A configuration key for every rank, e.g. --set ep.hidden=1024 --set ep.experts=16 (repeatable; the "
          + "world's keys are in protocol's reference.conf).")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--ready-timeout", defaultValue = "180", description = "Seconds to wait for a Ready world (default: ${DEFAULT-VALUE}).")
  long readyTimeoutSeconds;

  @Mixin ClusterDirs dirs;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (ranks < 1) {
      throw CliException.usage("--ranks = " + ranks + " is not allowed; allowed: >= 1");
    }
    if (readyTimeoutSeconds < 1) {
      throw CliException.usage("--ready-timeout = " + readyTimeoutSeconds + " is not allowed; allowed: >= 1");
    }
    Path home = dirs.resolve();
    BackgroundCluster.read(home).filter(c -> !c.running().isEmpty()).ifPresent(c -> {
      throw CliException.cluster("a cluster is already up in " + home + " (gateway " + c.gateways().get(0) + "); "
          + "'ep cluster down' stops it");
    });
    PrintWriter out = spec.commandLine().getOut();
    int gpus = GpuProbe.visibleGpus();
    String chosen = BackendChoice.resolve(backend, ranks, gpus, ClusterSession.nativeProblem(gpus));
    GpuPlacement placement = chosen.equals("nccl")
        ? GpuPlacement.plan(ranks, 0, System.getenv("CUDA_VISIBLE_DEVICES"), gpus)
        : GpuPlacement.none();
    PortPlan ports = basePort == 0 ? PortPlan.free(ranks, host) : PortPlan.fromBase(ranks, host, basePort);
    ClusterSpec clusterSpec = new ClusterSpec(ranks, host, ports, chosen, rankSettings(), ClusterSpec.currentJava(),
        ClusterSpec.DEFAULT_JVM_OPTIONS, ClusterSession.projectJarsFirst(System.getProperty("java.class.path")), home, placement,
        ClusterKey.create(home));
    long start = System.nanoTime();
    BackgroundCluster cluster = launch(NodeLaunch.plan(clusterSpec, false), chosen, ports.gateways(host), home);
    cluster.write();
    try {
      long generation = awaitReady(cluster, readyTimeoutSeconds);
      out.printf("ep cluster: %d ranks up, %s backend, world Ready after %.1f s (generation %d); logs in %s%n", ranks, chosen,
          (System.nanoTime() - start) / 1e9, generation, home);
      out.println("  gateway  " + cluster.gateways().get(0) + (ranks > 1 ? "  (any rank's: " + String.join(", ", cluster.gateways()) + ")" : ""));
      out.println("  status   ep cluster status" + dirs.flag() + "    or    ep status --gateway " + cluster.gateways().get(0));
      out.println("  stop     ep cluster down" + dirs.flag());
      out.println("  Java     EpClient.connect(ClientSettings.of(List.of(\"" + cluster.gateways().get(0) + "\")))   (docs/client.md)");
      out.println("  TLS      EP_KEY_STORE=" + home.resolve(ClusterKey.STORE_FILE) + " EP_KEY_STORE_PASSWORD=$(cat "
          + home.resolve(ClusterKey.PASSWORD_FILE) + ")   (for clients outside ep cluster)");
      out.flush();
      return 0;
    } catch (RuntimeException e) {
      cluster.stop(Duration.ofSeconds(10));
      throw e;
    }
  }

  /**
   * The world size, and failure detectors patient enough for a shared or loaded machine, where a
   * JVM may pause for seconds: a slow heartbeat must not end the world, and a rank restarted by
   * hand rejoins before the others give up on it. {@code --set} comes last and wins.
   */
  private Map<String, String> rankSettings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("ep.world-size", Integer.toString(ranks));
    m.put("pekko.cluster.failure-detector.acceptable-heartbeat-pause", "20s");
    m.put("pekko.cluster.split-brain-resolver.stable-after", "10s");
    m.put("ep.health.probe-misses", "30");
    m.put("ep.bootstrap-timeout", "60s");
    m.putAll(settings);
    return m;
  }

  /** Starts every rank ({@link BackgroundCluster#start}); on a failure, stops those already running. */
  private static BackgroundCluster launch(List<NodeLaunch> launches, String backend, List<String> gateways, Path home) {
    List<BackgroundCluster.Rank> started = new ArrayList<>();
    try {
      for (NodeLaunch launch : launches) {
        Files.deleteIfExists(launch.logFile()); // a fresh log per up; restarts append to it
        started.add(BackgroundCluster.start(launch.rank(), launch.command(), launch.environment(), launch.logFile()));
      }
    } catch (IOException | RuntimeException e) {
      BackgroundCluster.stop(started, Duration.ofSeconds(10));
      throw e instanceof CliException c ? c : CliException.cluster("cannot start the ranks: " + e.getMessage());
    }
    return new BackgroundCluster(home, backend, gateways, started);
  }

  /** The generation once Ready; a rank that exits first, or no Ready world in time, fails with its log's tail. */
  static long awaitReady(BackgroundCluster cluster, long readyTimeoutSeconds) {
    ClientSettings settings = ClientSettings.of(cluster.gateways()).withConnectTimeout(Duration.ofSeconds(readyTimeoutSeconds));
    CompletableFuture<Object> connected = CompletableFuture.supplyAsync(() -> {
      try (EpClient client = EpClient.connect(settings, cluster.clientConfig())) {
        return client.world().generation();
      }
    });
    List<CompletableFuture<?>> watch = new ArrayList<>(List.of(connected));
    for (BackgroundCluster.Rank r : cluster.ranks()) {
      r.process().ifPresent(h -> watch.add(h.onExit().thenApply(done -> r)));
    }
    Object first;
    try {
      first = CompletableFuture.anyOf(watch.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      String why = e.getCause() instanceof EpClientException c ? c.getMessage() : String.valueOf(e.getCause());
      throw CliException.cluster(why + "; rank logs in " + cluster.dir());
    }
    if (first instanceof BackgroundCluster.Rank r) {
      throw CliException.cluster("rank " + r.rank() + " (pid " + r.pid() + ") exited while the cluster was starting; log: " + r.log()
          + LocalCluster.tail(r.log()));
    }
    return (Long) first;
  }
}
