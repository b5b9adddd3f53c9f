package io.epruntime.cli.cluster;

import io.epruntime.cli.CliException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The rank processes of one {@code ep run} on this machine. Each child's stdout and stderr go to its
 * log file. A child that exits while the cluster is meant to be up completes {@link #failure()}
 * (noticed through {@link Process#onExit()}, no polling), and every child is stopped on
 * {@link #close()}, on JVM shutdown (Ctrl-C) and, since each child exits when its stdin closes,
 * even when this process is killed outright.
 */
public final class LocalCluster implements AutoCloseable {
  private static final Duration GRACEFUL_STOP = Duration.ofSeconds(10);
  private static final int LOG_TAIL_LINES = 15;

  private final List<RankProcess> ranks = new ArrayList<>();
  private final CompletableFuture<CliException> failure = new CompletableFuture<>();
  private final Thread shutdownHook = new Thread(this::stopAll, "ep-run-cleanup");
  private volatile boolean stopping;

  private record RankProcess(NodeLaunch launch, Process process) {}

  private LocalCluster() {}

  /** Starts every rank of the plan; on a failure to start, stops those already running. */
  public static LocalCluster start(List<NodeLaunch> launches) {
    LocalCluster cluster = new LocalCluster();
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      for (NodeLaunch launch : launches) {
        cluster.launch(launch);
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private void launch(NodeLaunch launch) {
    ProcessBuilder pb = new ProcessBuilder(launch.command())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(launch.logFile().toFile()));
    pb.environment().putAll(launch.environment());
    Process p;
    try {
      Files.createDirectories(launch.logFile().getParent());
      // The exact command heads the log, so a rank can be rerun by hand.
      Files.writeString(launch.logFile(), "# " + String.join(" ", launch.command()) + System.lineSeparator());
      p = pb.start();
    } catch (IOException e) {
      throw CliException.cluster("cannot start rank " + launch.rank() + " (" + launch.command().get(0) + "): " + e.getMessage());
    }
    RankProcess rp = new RankProcess(launch, p);
    ranks.add(rp);
    p.onExit().thenAccept(done -> onRankExit(rp));
  }

  private void onRankExit(RankProcess rp) {
    if (stopping) {
      return;
    }
    String msg = "rank " + rp.launch().rank() + " (pid " + rp.process().pid() + ") exited with status "
        + rp.process().exitValue() + " while the cluster was running; log: " + rp.launch().logFile()
        + tail(rp.launch().logFile());
    failure.complete(CliException.cluster(msg));
  }

  /** Completes with the first unexpected rank exit; never completes when all ranks stay up. */
  public CompletableFuture<CliException> failure() {
    return failure;
  }

  /** Process ids by rank, for messages. */
  public List<Long> pids() {
    List<Long> out = new ArrayList<>();
    for (RankProcess rp : ranks) {
      out.add(rp.process().pid());
    }
    return out;
  }

  /** The last lines of a rank's log, indented, to print under an error. */
  public static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      StringBuilder b = new StringBuilder();
      // The first error line is usually the cause; a stack trace's tail is not.
      lines.stream().filter(l -> l.startsWith("ep node:") && !l.contains(" started ") || l.contains("Exception: ")).findFirst()
          .ifPresent(first -> b.append("\n    | ").append(first).append("\n    | ..."));
      for (String l : lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())) {
        b.append("\n    | ").append(l);
      }
      return b.toString();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** Stops every rank: SIGTERM, a grace period for clean leave, then SIGKILL for the rest. */
  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // Called from within shutdown: the hook is running or ran; nothing to remove.
    }
  }

  private synchronized void stopAll() {
    stopping = true;
    for (RankProcess rp : ranks) {
      rp.process().destroy();
    }
    long deadline = System.nanoTime() + GRACEFUL_STOP.toNanos();
    for (RankProcess rp : ranks) {
      awaitExit(rp.process(), deadline);
    }
  }

  private static void awaitExit(Process p, long deadlineNanos) {
    try {
      p.onExit().get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      p.destroyForcibly();
    }
  }
}
