package io.epruntime.cli.run;

import com.typesafe.config.ConfigFactory;
import io.epruntime.cli.CliException;
import io.epruntime.cli.cluster.BackendChoice;
import io.epruntime.cli.cluster.ClusterKey;
import io.epruntime.cli.cluster.ClusterSpec;
import io.epruntime.cli.cluster.GpuPlacement;
import io.epruntime.cli.cluster.GpuProbe;
import io.epruntime.cli.cluster.LocalCluster;
import io.epruntime.cli.cluster.NodeLaunch;
import io.epruntime.cli.cluster.PortPlan;
import io.epruntime.client.ClientSettings;
import io.epruntime.client.EpClient;
import io.epruntime.client.EpClientException;
import io.epruntime.client.ExpectedWorld;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A local cluster with a connected client: backend chosen, ports planned, N rank processes started
 * with their logs in the run directory, and a client connected once the world is Ready. Closing it
 * closes the client and stops every rank. Shared by {@code ep run} and {@code ep bench}.
 */
public final class ClusterSession implements AutoCloseable {

  /** How the cluster is hosted and the run shown, as opposed to what it computes ({@link RunOptions}). */
  public record Settings(
      BackendChoice.Requested backend,
      String host,
      int basePort,
      Path runDir,
      ProgressReporter.Style progress,
      boolean json,
      boolean trace,
      List<String> jvmOptions,
      String rankClasspath,
      int gpus) {}

  private static final DateTimeFormatter RUN_DIR_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

  private final String backend;
  private final Path runDir;
  private final LocalCluster cluster;
  private final EpClient client;

  private ClusterSession(String backend, Path runDir, LocalCluster cluster, EpClient client) {
    this.backend = backend;
    this.runDir = runDir;
    this.cluster = cluster;
    this.client = client;
  }

  /** Starts the ranks and connects; fails with exit 3 (cluster) or 4 (environment) and stops what it started. */
  public static ClusterSession open(RunOptions options, Settings settings, String purpose, PrintWriter err) {
    int gpus = GpuProbe.visibleGpus();
    String backend = BackendChoice.resolve(settings.backend(), options.ranks(), settings.gpus(), gpus, nativeProblem(gpus));
    GpuPlacement placement = backend.equals("nccl")
        ? GpuPlacement.plan(options.ranks(), settings.gpus(), System.getenv("CUDA_VISIBLE_DEVICES"), gpus)
        : GpuPlacement.none();
    Path runDir = createRunDir(settings.runDir(), purpose);
    PortPlan ports = settings.basePort() == 0
        ? PortPlan.free(options.ranks(), settings.host())
        : PortPlan.fromBase(options.ranks(), settings.host(), settings.basePort());
    // Remoting on mutual TLS with a key made for this run: nothing else on the machine can join in.
    ClusterKey key = ClusterKey.create(runDir);
    ClusterSpec spec = new ClusterSpec(options.ranks(), settings.host(), ports, backend, RankOverrides.of(options),
        ClusterSpec.currentJava(), jvmOptions(settings), rankClasspath(settings), runDir, placement, key);

    err.println("ep " + purpose + ": starting " + options.ranks() + " ranks, " + backend + " backend"
        + (backend.equals("cpu") && gpus == 0 ? " (no GPU found)" : "")
        + (backend.equals("nccl") ? " on " + placement.gpus() + " GPU(s)" : "") + "; logs in " + runDir);
    long start = System.nanoTime();
    LocalCluster cluster = LocalCluster.start(NodeLaunch.plan(spec));
    try {
      EpClient client = connect(options, settings, cluster, ports, runDir, key);
      err.printf("ep %s: world ready after %.1f s (generation %d)%n", purpose, (System.nanoTime() - start) / 1e9,
          client.world().generation());
      return new ClusterSession(backend, runDir, cluster, client);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * Why the native EP library cannot serve the nccl backend here, or null when it can. Only asked
   * where GPUs exist, so a CPU-only machine never tries to load it.
   */
  public static String nativeProblem(int gpus) {
    if (gpus == 0) {
      return null;
    }
    try {
      return io.epruntime.nativeep.NativeEpLibrary.isAvailable() ? null : io.epruntime.nativeep.NativeEpLibrary.unavailabilityCause();
    } catch (LinkageError e) {
      return e.toString();
    }
  }

  public String backend() {
    return backend;
  }

  public Path runDir() {
    return runDir;
  }

  public EpClient client() {
    return client;
  }

  /** Completes with a clear error when a rank process dies. */
  public CompletableFuture<CliException> failure() {
    return cluster.failure();
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      cluster.close();
    }
  }

  /** Connects while watching the ranks: a rank that dies during start-up fails at once, not at the time-out. */
  private static EpClient connect(RunOptions options, Settings settings, LocalCluster cluster, PortPlan ports, Path runDir,
      ClusterKey key) {
    // The window bounds what the driver submits; the client's own limit has head-room, because the
    // driver submits the next step from the completion of the previous one, possibly before the
    // client has released that one's slot.
    // The client expects the keys the ranks were given (RankOverrides): a world that runs another
    // shape (say another cluster on the planned ports) is refused at connect, naming the keys.
    ClientSettings cs = new ClientSettings(ports.gateways(settings.host()), options.readyTimeout(), options.stepTimeout(),
        2 * options.window(), 2, new ExpectedWorld(options.ranks(), options.experts(), options.hidden(), options.topk(),
            options.llCapacity(), null, options.dtype()));
    CompletableFuture<EpClient> connecting = CompletableFuture.supplyAsync(() -> EpClient.connect(cs, key.clientConfig(ConfigFactory.load())), r -> {
      Thread t = new Thread(r, "ep-connect");
      t.setDaemon(true);
      t.start();
    });
    // A safety net over the client's own time-out: whatever happens inside it, ep run ends.
    long limitSeconds = options.readyTimeout().toSeconds() + 30;
    try {
      Object first = CompletableFuture.anyOf(connecting.orTimeout(limitSeconds, java.util.concurrent.TimeUnit.SECONDS), cluster.failure())
          .join();
      if (first instanceof CliException died) {
        connecting.thenAccept(EpClient::close);
        throw died;
      }
      return (EpClient) first;
    } catch (CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof EpClientException) {
        throw CliException.cluster(cause.getMessage() + "; rank logs in " + runDir);
      }
      if (cause instanceof java.util.concurrent.TimeoutException) {
        throw CliException.cluster("the client got no answer about the world within " + limitSeconds + " s; rank logs in " + runDir);
      }
      throw e;
    }
  }

  private static Path createRunDir(Path requested, String purpose) {
    Path dir = requested != null ? requested
        : projectHome().resolve("target").resolve("ep-" + purpose).resolve(LocalDateTime.now().format(RUN_DIR_TIME));
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw CliException.environment("cannot create the run directory " + dir + " (--run-dir): " + e.getMessage());
    }
  }

  /** The project root when started by ./ep (it sets ep.home), else the working directory. */
  public static Path projectHome() {
    String home = System.getProperty("ep.home");
    return home == null ? Path.of("").toAbsolutePath() : Path.of(home);
  }

  private static List<String> jvmOptions(Settings settings) {
    List<String> opts = new ArrayList<>(ClusterSpec.DEFAULT_JVM_OPTIONS);
    opts.addAll(settings.jvmOptions());
    return opts;
  }

  private static String rankClasspath(Settings settings) {
    return settings.rankClasspath() != null ? settings.rankClasspath() : projectJarsFirst(System.getProperty("java.class.path"));
  }

  /**
   * The classpath with the project's own entries first. Typesafe Config merges every reference.conf
   * on the classpath, the earlier winning, and the node's reference.conf overrides Pekko defaults
   * (provider = cluster, ...): with a Pekko jar first those overrides would be lost, and Maven's
   * depth-first test classpath does put pekko-actor before ep-coordinator. A single jar
   * that only carries a manifest Class-Path (Surefire's booter) is expanded first.
   */
  public static String projectJarsFirst(String classpath) {
    List<String> entries = new ArrayList<>();
    for (String entry : classpath.split(java.io.File.pathSeparator)) {
      entries.addAll(manifestClasspath(entry));
    }
    List<String> ours = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (String entry : entries) {
      Path file = Path.of(entry).getFileName();
      String name = file == null ? entry : file.toString();
      // Ours: the ep-* jars, and class directories (a reactor build's target/classes).
      boolean project = name.startsWith("ep-") || !name.endsWith(".jar");
      (project ? ours : others).add(entry);
    }
    ours.addAll(others);
    return String.join(java.io.File.pathSeparator, ours);
  }

  /** The entry itself, or, for a jar with a manifest Class-Path, the jar and those entries as paths. */
  private static List<String> manifestClasspath(String entry) {
    List<String> out = new ArrayList<>(List.of(entry));
    if (!entry.endsWith(".jar") || !Files.isRegularFile(Path.of(entry))) {
      return out;
    }
    try (java.util.jar.JarFile jar = new java.util.jar.JarFile(entry)) {
      java.util.jar.Manifest m = jar.getManifest();
      String cp = m == null ? null : m.getMainAttributes().getValue(java.util.jar.Attributes.Name.CLASS_PATH);
      if (cp == null || cp.isBlank()) {
        return out;
      }
      java.net.URI base = Path.of(entry).toAbsolutePath().toUri();
      for (String ref : cp.trim().split("\\s+")) {
        out.add(Path.of(base.resolve(ref)).toString());
      }
    } catch (IOException | RuntimeException e) {
      // Not a readable jar: keep the entry as it is.
    }
    return out;
  }
}
