package io.epruntime.chaos;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * One seeded chaos run: four rank processes in their own network namespaces under two verifying
 * clients, the schedule of faults of {@link Fault#schedule}, then the whole history checked by
 * {@link HistoryChecker}. What the CI test ({@code ChaosTest}) and {@code ep chaos} both run; a run
 * is replayed by its seed. Needs root (namespaces, iptables, tc): {@link #unavailable()} says why not.
 */
public final class ChaosRun {
  /** How long each fault is held before it is lifted. */
  static final Duration HOLD = Duration.ofSeconds(6);
  /** How long every rank must stay Ready before a fault counts as over. */
  static final Duration STABLE = Duration.ofSeconds(5);
  /** The recovery bound docs/recovery.md states for every fault kind. */
  public static final Duration RECOVERY_BOUND = Duration.ofSeconds(90);

  private ChaosRun() {}

  /**
   * @param seed the schedule's and the load's seed
   * @param rounds how many times every fault kind runs
   * @param dir where the nodes' logs and the history go
   * @param report where the report goes (bench/results/chaos-*.json), or null
   * @param command the command line the report names
   */
  public record Options(long seed, int rounds, Path dir, Path report, String command) {}

  /** What a run found; {@link #problems()} is empty when it passed. */
  public record Outcome(long seed, int rounds, Path history, List<Throwable> loadErrors, List<String> violations,
      List<String> kindsWithoutSteps, List<String> leftAeronDirectories, String faults, String resources) {

    /** Every reason the run failed: a client that broke outside its steps, a checker violation, a kind never tested. */
    public List<String> problems() {
      List<String> out = new ArrayList<>();
      loadErrors.forEach(e -> out.add("a client failed outside its steps: " + e));
      violations.stream().limit(10).forEach(v -> out.add("violation: " + v));
      if (violations.size() > 10) {
        out.add((violations.size() - 10) + " more violations in " + history);
      }
      kindsWithoutSteps.forEach(k -> out.add("no verified step after a " + k + " fault"));
      if (!leftAeronDirectories.isEmpty()) {
        out.add("media driver directories of exited nodes left in /dev/shm: " + leftAeronDirectories);
      }
      return out;
    }
  }

  /** Null when this machine can run a chaos schedule, else why not. */
  public static String unavailable() {
    return NetLab.unavailable();
  }

  /** Runs the schedule of {@code o.seed()}; throws only when the harness itself cannot go on. */
  public static Outcome run(Options o) throws Exception {
    Files.createDirectories(o.dir());
    Path historyFile = o.dir().resolve("history.jsonl");
    List<Fault> schedule = Fault.schedule(o.seed(), o.rounds());
    List<Throwable> loadErrors;
    List<String> leftDirs;
    try (NetLab lab = new NetLab(ChaosCluster.WORLD, o.seed());
        ChaosCluster cluster = new ChaosCluster(lab, o.dir());
        History history = new History(historyFile);
        ResourceWatch resources = new ResourceWatch(cluster, history)) {
      cluster.startAll();
      awaitWhole(cluster, o.seed(), Duration.ofSeconds(180));
      Load load = new Load(cluster, history, o.seed());
      load.start(2);
      until(Duration.ofSeconds(60), "a first verified step", () -> load.okSince(0));
      for (Fault f : schedule) {
        int rank = f.kind().equals("coordinator") ? Math.max(0, cluster.coordinatorRank()) : f.rank();
        history.write(history.event("fault").put("kind", f.kind()).put("phase", "start").put("rank", rank)
            .put("variant", f.variant()));
        inject(f, rank, lab, cluster, o.seed());
        Thread.sleep(HOLD.toMillis()); // the fault's duration: the clock is what is being waited on
        end(f, rank, lab, cluster);
        history.write(history.event("fault").put("kind", f.kind()).put("phase", "end").put("rank", rank));
        awaitRecovered(cluster, load, history, o.seed(), Duration.ofSeconds(180));
        long recovered = history.nowMs();
        until(Duration.ofSeconds(60), "a step after recovering from " + f.kind(), () -> load.okSince(recovered));
      }
      awaitRecovered(cluster, load, history, o.seed(), Duration.ofSeconds(180));
      loadErrors = load.stop();
      leftDirs = resources.leftAeronDirectories();
    }
    HistoryChecker.Result result = HistoryChecker.check(historyFile, RECOVERY_BOUND.toMillis());
    ObjectNode faults = HistoryChecker.faults(result);
    if (o.report() != null) {
      writeReport(o, schedule, faults, result);
    }
    List<String> untested = new ArrayList<>();
    for (String kind : Fault.KINDS) {
      HistoryChecker.KindStats s = result.kinds().get(kind);
      if (s == null || s.ok() == 0) {
        untested.add(kind);
      }
    }
    return new Outcome(o.seed(), o.rounds(), historyFile, loadErrors, result.violations(), untested, leftDirs, faults.toString(),
        result.resources().toString());
  }

  private static void inject(Fault f, int rank, NetLab lab, ChaosCluster cluster, long seed) throws Exception {
    switch (f.kind()) {
      case "loss" -> lab.loss(rank, f.variant() ? 0.10 : 0.01);
      case "partition" -> lab.partition(rank, f.variant());
      case "kill", "coordinator" -> cluster.kill(rank);
      case "pause" -> cluster.signal(rank, "STOP");
      case "slow" -> lab.slow(rank);
      case "hostile" -> Hostile.attack(lab.ip(rank), ChaosCluster.REMOTING, ChaosCluster.AERON, seed);
      default -> throw new IllegalArgumentException(f.kind());
    }
  }

  private static void end(Fault f, int rank, NetLab lab, ChaosCluster cluster) throws Exception {
    switch (f.kind()) {
      case "loss", "partition", "slow" -> lab.heal(rank);
      case "kill", "coordinator" -> cluster.start(rank);
      case "pause" -> cluster.signal(rank, "CONT");
      default -> { }
    }
  }

  /** Until every rank runs and answers Ready (the cluster's kubelet restarts any that exited). */
  private static void awaitWhole(ChaosCluster cluster, long seed, Duration timeout) throws Exception {
    until(timeout, "seed " + seed + ": every rank running and Ready", () -> allReady(cluster));
  }

  /**
   * Until the cluster has recovered from a fault: every rank runs and is Ready, steadily (a resumed
   * rank answers Ready until it learns it was downed), and a step invoked since has succeeded. Ranks
   * that exit meanwhile (downed by the split-brain resolver, say) are restarted by the cluster's kubelet.
   */
  private static void awaitRecovered(ChaosCluster cluster, Load load, History history, long seed, Duration timeout)
      throws Exception {
    long[] stableSince = {-1};
    until(timeout, "seed " + seed + ": recovery from the fault", () -> {
      if (!allReady(cluster)) {
        stableSince[0] = -1;
      } else if (stableSince[0] < 0) {
        stableSince[0] = history.nowMs();
      } else {
        return history.nowMs() - stableSince[0] >= STABLE.toMillis() && load.okSince(stableSince[0]);
      }
      return false;
    });
  }

  private static boolean allReady(ChaosCluster cluster) {
    for (int r = 0; r < ChaosCluster.WORLD; r++) {
      if (cluster.process(r) == null || cluster.http(r, "/ready") == null) {
        return false;
      }
    }
    return true;
  }

  /** Re-checks {@code condition} every 100 ms until it holds; past {@code timeout} the run stops with what did not happen. */
  private static void until(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not within " + timeout.toSeconds() + " s: " + what);
      }
      Thread.sleep(100);
    }
  }

  private static void writeReport(Options o, List<Fault> schedule, ObjectNode faults, HistoryChecker.Result result)
      throws IOException {
    ObjectNode r = History.JSON.createObjectNode();
    r.put("machine", InetAddress.getLocalHost().getHostName() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
    r.put("date", Instant.now().toString());
    r.put("seed", o.seed());
    r.put("rounds", o.rounds());
    r.put("command", o.command());
    ArrayNode s = r.putArray("schedule");
    schedule.forEach(f -> s.addObject().put("kind", f.kind()).put("rank", f.rank()).put("variant", f.variant()));
    r.set("faults", faults);
    r.put("violations", result.violations().size());
    r.put("resources", result.resources().toString());
    Path file = o.report();
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, History.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r) + "\n");
  }
}
