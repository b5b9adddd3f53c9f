package io.epruntime.cli.background;

import io.epruntime.cli.cluster.ClusterKey;
import io.epruntime.cli.CliException;
import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A cluster started by {@code ep cluster up}, as its state file {@code DIR/cluster.properties}
 * records it: where its gateways are, its backend, and every rank's pid, start time, log and the
 * command (with environment) that started it.
 *
 * @param dir the directory holding the state file and the ranks' logs
 */
record BackgroundCluster(Path dir, String backend, List<String> gateways, List<Rank> ranks) {

  /** A client's config for this cluster: its key store ({@link ClusterKey}) when it has one. */
  com.typesafe.config.Config clientConfig() {
    ClusterKey key = ClusterKey.read(dir);
    com.typesafe.config.Config base = com.typesafe.config.ConfigFactory.load();
    return key == null ? base : key.clientConfig(base);
  }

  static final String FILE = "cluster.properties";

  /**
   * One rank process: its pid and start time (which tell it from a later process with the same
   * pid), its log, and how it was started, so that it can be started again on the same ports.
   */
  record Rank(int rank, long pid, Instant started, Path log, List<String> command, Map<String, String> environment) {
    /** The process, while it is still this rank's. */
    Optional<ProcessHandle> process() {
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .filter(h -> h.info().startInstant().map(s -> Duration.between(s, started).abs().toSeconds() < 2).orElse(true));
    }
  }

  /**
   * Starts rank {@code rank} in its own session ({@code setsid}, where the system has it), stdin
   * from /dev/null and its output appended to {@code log}, so it outlives the command that started
   * it and the terminal.
   */
  static Rank start(int rank, List<String> command, Map<String, String> environment, Path log) {
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      cmd.add("/usr/bin/setsid");
    }
    cmd.addAll(command);
    try {
      // The exact command heads each start's part of the log, so a rank can be rerun by hand.
      Files.writeString(log, "# " + String.join(" ", command) + System.lineSeparator(), StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(environment);
      Process p = pb.start();
      return new Rank(rank, p.pid(), p.info().startInstant().orElse(Instant.now()), log, List.copyOf(command), Map.copyOf(environment));
    } catch (IOException e) {
      throw CliException.cluster("cannot start rank " + rank + " (" + command.get(0) + "): " + e.getMessage());
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
    for (int r = 0; r < Integer.parseInt(p.getProperty("ranks", "0")); r++) {
      String key = "rank." + r + ".";
      Map<String, String> env = new LinkedHashMap<>();
      for (String line : p.getProperty(key + "environment", "").split("\n")) {
        if (line.contains("=")) {
          env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
      }
      ranks.add(new Rank(r, Long.parseLong(p.getProperty(key + "pid")),
          Instant.ofEpochMilli(Long.parseLong(p.getProperty(key + "started"))), Path.of(p.getProperty(key + "log")),
          List.of(p.getProperty(key + "command").split("\n")), env));
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
      String key = "rank." + r.rank() + ".";
      p.setProperty(key + "pid", Long.toString(r.pid()));
      p.setProperty(key + "started", Long.toString(r.started().toEpochMilli()));
      p.setProperty(key + "log", r.log().toString());
      p.setProperty(key + "command", String.join("\n", r.command()));
      List<String> env = new ArrayList<>();
      r.environment().forEach((k, v) -> env.add(k + "=" + v));
      p.setProperty(key + "environment", String.join("\n", env));
    }
    try (Writer out = Files.newBufferedWriter(dir.resolve(FILE))) {
      p.store(out, "ep cluster up: the ranks 'ep cluster down' stops");
    } catch (IOException e) {
      throw CliException.environment("cannot write " + dir.resolve(FILE) + ": " + e.getMessage());
    }
  }

  /** This cluster with {@code rank} in place of the one of the same number. */
  BackgroundCluster with(Rank rank) {
    List<Rank> all = new ArrayList<>(ranks);
    all.set(rank.rank(), rank);
    return new BackgroundCluster(dir, backend, gateways, all);
  }

  /** The ranks whose process still runs. */
  List<Rank> running() {
    return ranks.stream().filter(r -> r.process().isPresent()).toList();
  }

  /**
   * Stops {@code which} (SIGTERM: each leaves the cluster and removes its Aeron directory), then
   * SIGKILLs those still running after {@code grace}; returns how many had to be killed.
   */
  static int stop(List<Rank> which, Duration grace) {
    List<ProcessHandle> live = which.stream().flatMap(r -> r.process().stream()).toList();
    live.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    int killed = 0;
    for (ProcessHandle h : live) {
      try {
        h.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
        killed++;
      }
    }
    return killed;
  }

  /** Stops every rank ({@link #stop(List, Duration)}) and removes the state file. */
  int stop(Duration grace) {
    int killed = stop(ranks, grace);
    try {
      Files.deleteIfExists(dir.resolve(FILE));
    } catch (IOException e) {
      throw CliException.environment("cannot remove " + dir.resolve(FILE) + ": " + e.getMessage());
    }
    return killed;
  }
}
