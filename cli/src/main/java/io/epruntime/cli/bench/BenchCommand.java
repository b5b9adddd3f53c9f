package io.epruntime.cli.bench;

import io.epruntime.cli.CliException;
import io.epruntime.cli.ExitCode;
import io.epruntime.cli.cluster.BackendChoice;
import io.epruntime.cli.cluster.GpuProbe;
import io.epruntime.cli.run.ClusterSession;
import io.epruntime.cli.run.PhaseResult;
import io.epruntime.cli.run.ProgressReporter;
import io.epruntime.cli.run.RunOptions;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ep bench}: the end-to-end suites that apply to this machine (cpu always, nccl when every
 * rank has a GPU). Per suite one local cluster; per token size an HT and an LL phase of verified
 * steps; one results file per suite in bench/results, and with {@code --plot} charts in bench/plot.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Run the end-to-end benchmark suites that apply to this machine (cpu; nccl where every rank has a GPU): "
        + "per token size an HT and an LL phase of verified steps. Writes bench/results/ep-bench-<backend>-<time>.json "
        + "(machine, date, command, figures); --plot adds latency-distribution and throughput charts (SVG, PNG) in bench/plot.")
public final class BenchCommand implements Callable<Integer> {

  @Option(names = {"-n", "--ranks"}, defaultValue = "4", description = "Rank processes (default: ${DEFAULT-VALUE}).")
  int ranks;

  @Option(names = "--tokens", split = ",", defaultValue = "8,32,128", description = "Tokens per rank, one phase pair each (default: ${DEFAULT-VALUE}).")
  List<Integer> tokens;

  @Option(names = "--steps", defaultValue = "100", description = "Measured steps per phase (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--warmup", defaultValue = "20", description = "Steps before measuring, verified but not counted (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--hidden", defaultValue = "512", description = "Hidden size (default: ${DEFAULT-VALUE}).")
  int hidden;

  @Option(names = "--experts", defaultValue = "16", description = "Experts (default: ${DEFAULT-VALUE}).")
  int experts;

  @Option(names = "--topk", defaultValue = "4", description = "Experts per token (default: ${DEFAULT-VALUE}).")
  int topk;

  @Option(names = "--window", defaultValue = "4", description = "Steps in flight (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(names = "--backend", defaultValue = "auto", description = "${COMPLETION-CANDIDATES}: auto runs every suite that applies (default: ${DEFAULT-VALUE}).")
  BackendChoice.Requested backend;

  @Option(names = "--out", description = "Results directory (default: bench/results under the project).")
  Path out;

  @Option(names = "--plot", description = "Also write charts (SVG and PNG).")
  boolean plot;

  @Option(names = "--plot-dir", description = "Chart directory (default: bench/plot under the project).")
  Path plotDir;

  @Option(names = "--progress", defaultValue = "auto", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  ProgressReporter.Style progress;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (tokens.isEmpty() || tokens.stream().anyMatch(t -> t < 1)) {
      throw CliException.usage("--tokens = " + tokens + " is not allowed; allowed: a comma-separated list of sizes >= 1");
    }
    int maxTokens = tokens.stream().mapToInt(Integer::intValue).max().orElseThrow();
    if (steps < 1 || warmup < 0) {
      throw CliException.usage("--steps must be >= 1 and --warmup >= 0; got " + steps + " and " + warmup);
    }
    RunOptions world = new RunOptions(ranks, Math.max(1, warmup), maxTokens, hidden, experts, topk, DType.BF16,
        ExpertKernelSpec.identity(), RunOptions.Mode.auto, maxTokens, 7, window, Duration.ofSeconds(180), Duration.ofSeconds(60));
    boolean allVerified = true;
    for (BackendChoice.Requested suite : suites()) {
      allVerified &= runSuite(world, suite, err);
    }
    return allVerified ? ExitCode.OK.code() : ExitCode.MISMATCH.code();
  }

  /** The suites of this run: one forced backend, or every one that applies here. */
  private List<BackendChoice.Requested> suites() {
    if (backend != BackendChoice.Requested.auto) {
      return List.of(backend);
    }
    List<BackendChoice.Requested> s = new ArrayList<>(List.of(BackendChoice.Requested.cpu));
    int gpus = GpuProbe.visibleGpus();
    if (BackendChoice.resolve(BackendChoice.Requested.auto, ranks, gpus, ClusterSession.nativeProblem(gpus)).equals("nccl")) {
      s.add(BackendChoice.Requested.nccl);
    }
    return s;
  }

  private boolean runSuite(RunOptions world, BackendChoice.Requested suite, PrintWriter err) throws IOException {
    ClusterSession.Settings settings = new ClusterSession.Settings(suite, "127.0.0.1", 0, null, progress, false, false, List.of(), null, 0);
    List<BenchPhase> phases = new ArrayList<>();
    boolean allVerified = true;
    try (ClusterSession session = ClusterSession.open(world, settings, "bench", err)) {
      if (warmup > 0) {
        err.println("ep bench: warm-up, " + warmup + " steps");
        allVerified &= check(PhaseResult.run(session, world, progress, err));
      }
      for (int t : tokens) {
        for (RunOptions.Mode mode : List.of(RunOptions.Mode.ht, RunOptions.Mode.ll)) {
          err.println("ep bench: " + session.backend() + ", " + t + " tokens/rank, " + mode + ", " + steps + " steps");
          RunOptions phase = world.phase(t, mode, steps);
          PhaseResult r = PhaseResult.run(session, phase, progress, err);
          allVerified &= check(r);
          phases.add(new BenchPhase(t, mode.name().toUpperCase(java.util.Locale.ROOT), ranks, r.snapshot(), r.sortedLatencies()));
        }
      }
      Path file = writeResults(world, session.backend(), phases, allVerified);
      err.println("ep bench: wrote " + file);
      spec.commandLine().getOut().println(BenchPhase.table(session.backend(), phases));
      if (plot) {
        for (Path p : BenchCharts.write(plotDir(), "ep-bench-" + session.backend(), phases)) {
          err.println("ep bench: wrote " + p);
        }
      }
    }
    return allVerified;
  }

  private static boolean check(PhaseResult r) {
    if (r.clusterFailure() != null) {
      throw r.clusterFailure();
    }
    return r.snapshot().allVerified();
  }

  private Path writeResults(RunOptions world, String backendName, List<BenchPhase> phases, boolean allVerified) throws IOException {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    Path dir = out != null ? out : ClusterSession.projectHome().resolve("bench").resolve("results");
    Files.createDirectories(dir);
    Path file = dir.resolve("ep-bench-" + backendName + "-" + now.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json");
    Files.writeString(file, BenchPhase.resultsJson(world, backendName, now.toString(), command(), Machine.json(), phases, allVerified) + "\n");
    return file;
  }

  private Path plotDir() {
    return plotDir != null ? plotDir : ClusterSession.projectHome().resolve("bench").resolve("plot");
  }

  /** The command as typed, from what ./ep passed on (EpCli records it). */
  private static String command() {
    String c = System.getProperty("ep.command");
    return c == null ? "ep bench" : c;
  }
}
