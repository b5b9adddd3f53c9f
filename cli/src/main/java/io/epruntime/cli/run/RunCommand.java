package io.epruntime.cli.run;

import io.epruntime.cli.cluster.BackendChoice;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code ep run}: starts a local cluster of N rank processes, runs a seeded MoE workload through the
 * client, verifies every step against the CPU reference and prints a summary. This class is the
 * flags; {@link LocalRun} does the work.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Start a local cluster (N rank processes, the coordinator among them), run a seeded MoE workload, "
          + "verify every step against the CPU reference, and print a summary table (and a JSON line with --json).",
      "Progress goes to stderr; the summary to stdout (to stderr with --json, so stdout is the JSON line only)."
    })
public final class RunCommand implements Callable<Integer> {

  @Option(names = {"-n", "--ranks"}, defaultValue = "4", description = "Rank processes, one per GPU with nccl unless --gpus says otherwise (default: ${DEFAULT-VALUE}).")
  int ranks;

  @Option(names = "--steps", defaultValue = "200", description = "Steps to run and verify (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--tokens", defaultValue = "32", description = "Tokens per rank of the larger steps (default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(names = "--hidden", defaultValue = "256", description = "Hidden size H (default: ${DEFAULT-VALUE}).")
  int hidden;

  @Option(names = "--experts", defaultValue = "16", description = "Experts E, a multiple of --ranks (default: ${DEFAULT-VALUE}).")
  int experts;

  @Option(names = "--topk", defaultValue = "4", description = "Experts per token K (default: ${DEFAULT-VALUE}).")
  int topk;

  @Option(names = "--expert-kernel", defaultValue = "scale", description = "What experts compute: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  KernelName expertKernel;

  @Option(names = "--intermediate", defaultValue = "64", description = "Intermediate size of the swiglu kernel (default: ${DEFAULT-VALUE}).")
  int intermediate;

  @Option(names = "--mode", defaultValue = "auto", description = "${COMPLETION-CANDIDATES}: auto mixes HT and LL steps, the coordinator choosing (default: ${DEFAULT-VALUE}).")
  RunOptions.Mode mode;

  @Option(names = "--ll-capacity", defaultValue = "-1", description = "LL capacity M per rank; -1: --tokens/2 for auto (so steps mix), --tokens for ll, 0 for ht.")
  int llCapacity;

  @Option(names = "--dtype", defaultValue = "bf16", converter = DTypeConverter.class, description = "Dispatch dtype: bf16, fp32, fp8-e4m3 (default: ${DEFAULT-VALUE}).")
  DType dtype;

  @Option(names = "--backend", defaultValue = "auto", description = "${COMPLETION-CANDIDATES}: auto takes nccl when every rank has a GPU, else cpu (default: ${DEFAULT-VALUE}).")
  BackendChoice.Requested backend;

  @Option(names = "--gpus", defaultValue = "0", description = "GPUs the nccl ranks use; fewer than --ranks puts ranks on one GPU round-robin (they reach each other through peer windows); 0 = one per rank (default: ${DEFAULT-VALUE}).")
  int gpus;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the workload and expert weights (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--window", defaultValue = "4", description = "Most steps in flight at once (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address the ranks bind to (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--base-port", defaultValue = "0", description = "0 picks free ports; else rank i uses remoting B+i, management B+N+i, Aeron UDP B+2N+i.")
  int basePort;

  @Option(names = "--ready-timeout", defaultValue = "120", description = "Seconds the cluster may take to become Ready (default: ${DEFAULT-VALUE}).")
  long readyTimeoutSeconds;

  @Option(names = "--step-timeout", defaultValue = "30", description = "Seconds one step may take (default: ${DEFAULT-VALUE}).")
  long stepTimeoutSeconds;

  @Option(names = "--run-dir", description = "Directory for rank logs (default: target/ep-run/<time> under the project).")
  Path runDir;

  @Option(names = "--progress", defaultValue = "auto", description = "${COMPLETION-CANDIDATES}: auto draws a bar on a terminal, plain lines otherwise (default: ${DEFAULT-VALUE}).")
  ProgressReporter.Style progress;

  @Option(names = "--json", description = "Also print one JSON line with the summary on stdout (the table goes to stderr).")
  boolean json;

  @Option(names = "--trace", description = "Also print where the steps' time went: per hop (client to coordinator, sequencing, coordinator to rank, rank wait, dispatch, experts, combine, rank to client) p50/p99/max and the slowest steps.")
  boolean trace;

  @Option(names = "--jvm-opt", description = "Extra JVM option for every rank process (repeatable).")
  List<String> jvmOptions = new ArrayList<>();

  @Option(names = "--rank-classpath", hidden = true, description = "Classpath of rank processes (default: this JVM's).")
  String rankClasspath;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  /** What {@code --expert-kernel} accepts (the names of {@link ExpertKernelSpec}). */
  public enum KernelName {
    identity,
    scale,
    swiglu
  }

  @Override
  public Integer call() {
    RunOptions options = options();
    return new LocalRun(options, settings(), spec.commandLine().getOut(), spec.commandLine().getErr()).call().code();
  }

  /** The validated workload; a bad combination of flags fails here, before anything starts. */
  RunOptions options() {
    ExpertKernelSpec kernel = switch (expertKernel) {
      case identity -> ExpertKernelSpec.identity();
      case scale -> ExpertKernelSpec.scale();
      case swiglu -> ExpertKernelSpec.swiglu(seed, intermediate);
    };
    int capacity = llCapacity >= 0 ? llCapacity : RunOptions.defaultLlCapacity(mode, tokens);
    return new RunOptions(ranks, steps, tokens, hidden, experts, topk, dtype, kernel, mode, capacity, seed, window,
        Duration.ofSeconds(readyTimeoutSeconds), Duration.ofSeconds(stepTimeoutSeconds));
  }

  ClusterSession.Settings settings() {
    return new ClusterSession.Settings(backend, host, basePort, runDir, progress, json, trace, List.copyOf(jvmOptions), rankClasspath, gpus);
  }

  /** Parses {@code --dtype} with the protocol's names, listing them on a bad value. */
  static final class DTypeConverter implements ITypeConverter<DType> {
    @Override
    public DType convert(String value) {
      try {
        return DType.parse("--dtype", value);
      } catch (EpArgumentException e) {
        throw new TypeConversionException("'" + value + "' is not a dtype; allowed: " + DType.allowedNames());
      }
    }
  }
}
