package io.epruntime.cli.background;

import io.epruntime.cli.CliException;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A cluster started by {@code ep cluster up}, as its state file {@code DIR/cluster.properties}
 * records it: where its gateways are, its backend, and every rank's pid, start time and log.
 *
 * @param dir the directory holding the state file and the ranks' logs
 */
record BackgroundCluster(Path dir, String backend, List<String> gateways, List<Rank> ranks) {
  static final String FILE = "cluster.properties";

  /** One rank process: its pid and start time (which tell it from a later process with the same pid). */
  record Rank(int rank, long pid, Instant started, Path log) {
    /** The process, while it is still this rank's. */
    Optional<ProcessHandle> process() {
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .filter(h -> h.info().startInstant().map(s -> Duration.between(s, started).abs().toSeconds() < 2).orElse(true));
    }
  }

  /** The cluster recorded in {@code dir}, if any. */
  static Optional<BackgroundCluster> read(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      p.load(in);
    } catch (IOException e) {
      throw CliException.environment("cannot read " + file + ": " + e.getMessage());
    }
    List<Rank> ranks = new ArrayList<>();
    int n = Integer.parseInt(p.getProperty("ranks", "0"));
    for (int r = 0; r < n; r++) {
      ranks.add(new Rank(r, Long.parseLong(p.getProperty("rank." + r + ".pid")),
          Instant.ofEpochMilli(Long.parseLong(p.getProperty("rank." + r + ".started"))), Path.of(p.getProperty("rank." + r + ".log"))));
    }
    return Optional.of(new BackgroundCluster(dir, p.getProperty("backend"), Arrays.asList(p.getProperty("gateways").split(",")), ranks));
  }

  /** Records this cluster in {@code dir/cluster.properties}. */
  void write() {
    Properties p = new Properties();
    p.setProperty("backend", backend);
    p.setProperty("gateways", String.join(",", gateways));
    p.setProperty("ranks", Integer.toString(ranks.size()));
    for (Rank r : ranks) {
      p.setProperty("rank." + r.rank() + ".pid", Long.toString(r.pid()));
      p.setProperty("rank." + r.rank() + ".started", Long.toString(r.started().toEpochMilli()));
      p.setProperty("rank." + r.rank() + ".log", r.log().toString());
    }
    try (Writer out = Files.newBufferedWriter(dir.resolve(FILE))) {
      p.store(out, "ep cluster up: the ranks 'ep cluster down' stops");
    } catch (IOException e) {
      throw CliException.environment("cannot write " + dir.resolve(FILE) + ": " + e.getMessage());
    }
  }

  /** The ranks whose process still runs. */
  List<Rank> running() {
    return ranks.stream().filter(r -> r.process().isPresent()).toList();
  }

  /**
   * Stops every rank still running: SIGTERM (each leaves the cluster and removes its Aeron
   * directory), then SIGKILL for those not gone after {@code grace}; removes the state file.
   * Returns how many had to be killed.
   */
  int stop(Duration grace) {
    List<ProcessHandle> live = ranks.stream().flatMap(r -> r.process().stream()).toList();
    live.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    int killed = 0;
    for (ProcessHandle h : live) {
      try {
        h.onExit().get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
        killed++;
      }
    }
    try {
      Files.deleteIfExists(dir.resolve(FILE));
    } catch (IOException e) {
      throw CliException.environment("cannot remove " + dir.resolve(FILE) + ": " + e.getMessage());
    }
    return killed;
  }
}
