package io.epruntime.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.client.ClientSettings;
import io.epruntime.client.ClusterStatus;
import io.epruntime.client.EpClient;
import io.epruntime.client.StepRequest;
import io.epruntime.client.StepResult;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Failures with real processes: kill -9 of a rank mid-run, of the node that hosts the coordinator
 * singleton, and a rank frozen with SIGSTOP. The lost node restarts on its ports (as a StatefulSet pod would); a new
 * generation forms; the client's retries complete every step, each checked against the CPU
 * reference, so a failure can only cost a retry, never a wrong result.
 */
class RecoveryTest extends LocalClusterTest {
  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void killedRankRestartsAndRetriedStepsAllComplete() throws Exception {
    cluster = new LocalCluster4("kill-rank", List.of());
    cluster.startAll();
    Run run = runWithFault(client -> killAndRestart(2), cluster.gateways(0, 1, 2, 3));
    assertTrue(run.retried > 0, "the kill should have cost at least one retry");
    assertTrue(run.lastGeneration > run.firstGeneration,
        "a new generation formed: first " + run.firstGeneration + ", last " + run.lastGeneration);
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void coordinatorNodeKilledSingletonMovesAndStepsResume() throws Exception {
    cluster = new LocalCluster4("kill-coordinator", List.of());
    cluster.startAll();
    Run run = runWithFault(client -> killAndRestart(0), cluster.gateways(1, 2, 3, 0));
    assertTrue(run.lastGeneration > run.firstGeneration,
        "a new generation formed: first " + run.firstGeneration + ", last " + run.lastGeneration);
    assertTrue(coordinatorStartedOnAnotherNode(), "the coordinator singleton started on a surviving node");
    assertOneCluster("the first seed restarted with its original command");
  }

  /**
   * The first two seeds (the coordinator's node and the next) killed and restarted together with
   * their original commands, as a StatefulSet's pods 0 and 1 may be: both rejoin the running
   * cluster through the other seeds; no second cluster, no second coordinator.
   */
  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void firstTwoSeedsRestartedTogetherRejoinOneCluster() throws Exception {
    cluster = new LocalCluster4("restart-seeds", List.of());
    cluster.startAll();
    Run run = runWithFault(client -> {
      cluster.kill(0);
      cluster.kill(1);
      cluster.start(0);
      cluster.start(1);
    }, cluster.gateways(2, 3, 0, 1));
    assertTrue(run.lastGeneration > run.firstGeneration,
        "a new generation formed: first " + run.firstGeneration + ", last " + run.lastGeneration);
    assertOneCluster("the first two seeds restarted together");
  }

  /**
   * Exactly one cluster once the restarted nodes settle: every node sees the same four Up members
   * and the same oldest one, so one coordinator singleton (it runs on the oldest).
   */
  private void assertOneCluster(String after) throws Exception {
    LocalCluster4.await("one cluster of " + LocalCluster4.WORLD + " Up nodes after " + after, Duration.ofSeconds(60),
        Duration.ofMillis(500), () -> cluster.clusterSplit() == null);
  }

  /**
   * A rank process frozen with SIGSTOP mid-run, as a stuck driver call or a paused VM would leave it.
   * The survivors notice (failure detector, health probes, step watchdog), the generation ends, the
   * split-brain resolver downs and removes the frozen node. Then it is resumed, as a pause that ends
   * would: it must find out that it was downed and exit by itself, without the world ever being Ready
   * again with it (no zombie rejoins the old generation), and is restarted on its ports as its pod
   * would be. Every step still completes, each checked against the reference.
   */
  @Test
  @Timeout(value = 360, unit = TimeUnit.SECONDS)
  void hungRankIsDownedExitsWhenResumedAndRetriedStepsAllComplete() throws Exception {
    cluster = new LocalCluster4("hang-rank", List.of());
    cluster.startAll();
    Timeline timeline = new Timeline();
    Run run = runWithFault(client -> hangResumeAndRestart(2, client, timeline), cluster.gateways(0, 1, 3, 2));
    System.out.println("hung rank timeline: " + timeline);
    System.out.println("hung rank timeline, coordinator's log: " + timeline.fromLog(Files.readAllLines(cluster.log("node0")),
        "ending world generation", "Marking node as UNREACHABLE", "is irrecoverably failed", "is Ready ("));
    assertTrue(run.retried > 0, "the hang should have cost at least one retry; timeline " + timeline);
    assertTrue(run.lastGeneration > run.firstGeneration,
        "a new generation formed: first " + run.firstGeneration + ", last " + run.lastGeneration);
    // The hang ends its generation and nothing else does: the next one runs every step (a step
    // sent by a client's stale world view once held one up until its watchdog ended it).
    List<String> ended = Files.readAllLines(cluster.log("node0")).stream().filter(l -> l.contains("ending world generation")).toList();
    assertEquals(1, ended.size(), "generations ended: " + ended);
    assertTrue(ended.get(0).contains("generation " + run.firstGeneration + ":"), ended.get(0));
  }

  /**
   * The same kill -9 with four nccl ranks sharing one GPU through peer windows (a GPU machine:
   * {@code -Dgroups=gpu}). The survivors' kernels wait for the dead rank in their barriers until
   * {@code ep.gpu.peer-timeout}, report the time-out, and the generation ends; the restarted rank
   * maps fresh windows in the next generation, and every step completes, checked against the CPU
   * reference. Prints the timeline from the nodes' logs.
   */
  @Test
  @Tag("gpu")
  @Timeout(value = 420, unit = TimeUnit.SECONDS)
  void killedRankOnASharedGpuTimesOutItsPeersAndRetriedStepsAllComplete() throws Exception {
    cluster = new LocalCluster4("gpu-kill-rank", List.of("-Dep.backend=nccl", "-Dep.max-tokens-per-rank=64",
        "-Dep.gpu.peer-timeout=2s", "-Xmx512m"));
    cluster.startAll();
    Timeline timeline = new Timeline();
    Run run = runWithFault(client -> {
      timeline.mark("kill -9 rank 2 (generation " + status(client).generation() + ")");
      cluster.kill(2);
      cluster.start(2);
      timeline.mark("rank 2 restarted");
    }, cluster.gateways(0, 1, 3, 2));
    String[] events = {"did not answer within", "ending world generation", "peer windows (", "is Ready ("};
    for (int r = 0; r < LocalCluster4.WORLD; r++) {
      System.out.println("gpu kill timeline, node" + r + "'s log: " + timeline.fromLog(Files.readAllLines(cluster.log("node" + r)), events));
    }
    System.out.println("gpu kill timeline: " + timeline);
    assertTrue(run.retried > 0, "the kill should have cost at least one retry");
    assertTrue(run.lastGeneration > run.firstGeneration,
        "a new generation formed: first " + run.firstGeneration + ", last " + run.lastGeneration);
    boolean timedOut = false;
    for (int r : new int[] {0, 1, 3}) {
      timedOut |= Files.readString(cluster.log("node" + r)).contains("did not answer within ep.gpu.peer-timeout");
    }
    assertTrue(timedOut, "a survivor's kernels should have timed out waiting for the killed rank");
  }

  private void killAndRestart(int victim) throws InterruptedException {
    cluster.kill(victim);
    cluster.start(victim);
  }

  private void hangResumeAndRestart(int victim, EpClient client, Timeline timeline) throws Exception {
    long before = status(client).generation();
    cluster.signal(victim, "STOP");
    timeline.mark("SIGSTOP rank " + victim + " (generation " + before + ")");
    LocalCluster4.await("the coordinator to end generation " + before, Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
      ClusterStatus s = statusOrNull(client);
      return s != null && (!s.worldState().equals("ready") || s.generation() != before);
    });
    timeline.mark("generation " + before + " ended");
    LocalCluster4.await("the survivors to down and remove rank " + victim + "'s node", Duration.ofSeconds(90), Duration.ofMillis(200),
        () -> cluster.memberStatus(0, victim).equals("absent"));
    timeline.mark("node removed from the cluster");
    cluster.signal(victim, "CONT");
    timeline.mark("SIGCONT");
    List<String> readyWithZombie = new ArrayList<>();
    LocalCluster4.await("the resumed rank " + victim + " to exit by itself", Duration.ofSeconds(90), Duration.ofMillis(200), () -> {
      ClusterStatus s = statusOrNull(client);
      if (s != null && s.worldState().equals("ready")) {
        readyWithZombie.add("generation " + s.generation() + " " + s.ranks());
      }
      return !cluster.process(victim).isAlive();
    });
    long pid = cluster.process(victim).pid();
    assertEquals(List.of(), LocalCluster4.aeronDirectories(pid), "the downed rank removed its Aeron directory on its way out");
    int code = cluster.exited(victim);
    timeline.mark("resumed rank exited (" + code + ")");
    assertTrue(readyWithZombie.isEmpty(), "the world was Ready while the downed rank still ran: " + readyWithZombie);
    // Pekko exits a downed node with -1 (coordinated-shutdown.reason-overrides for ClusterDowningReason).
    String log = Files.readString(cluster.log("node" + victim));
    assertTrue(code == 255 && log.contains("Running CoordinatedShutdown with reason [ClusterDowningReason]"),
        "the resumed rank should exit because it was downed, but exited with " + code + ":\n" + tail(log));
    cluster.start(victim);
    timeline.mark("rank " + victim + " restarted");
    LocalCluster4.await("a new generation to be Ready", Duration.ofSeconds(180), Duration.ofMillis(200), () -> {
      ClusterStatus s = statusOrNull(client);
      return s != null && s.worldState().equals("ready") && s.generation() > before;
    });
    timeline.mark("generation " + status(client).generation() + " Ready");
  }

  private static ClusterStatus status(EpClient client) throws Exception {
    return client.status().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static ClusterStatus statusOrNull(EpClient client) {
    try {
      return client.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      return null;
    }
  }

  private static String tail(String log) {
    return log.substring(Math.max(0, log.length() - 4000));
  }

  /** What a fault does to the cluster while steps run; returns once the world can become whole again. */
  @FunctionalInterface
  private interface Fault {
    void inject(EpClient client) throws Exception;
  }

  /** Submits 160 steps (window 4); after 40 completed injects {@code fault}. */
  private Run runWithFault(Fault fault, List<String> gateways) throws Exception {
    ClientSettings settings = ClientSettings.of(gateways).withConnectTimeout(Duration.ofSeconds(120))
        .withStepTimeout(Duration.ofSeconds(15)).withMaxRetries(10).withMaxInFlight(8);
    StepCheck check = new StepCheck();
    Run run = new Run();
    try (EpClient client = EpClient.connect(settings)) {
      run.firstGeneration = client.world().generation();
      AtomicInteger completed = new AtomicInteger();
      List<String> failures = new ArrayList<>();
      List<CompletableFuture<Void>> inFlight = new ArrayList<>();
      boolean faulted = false;
      for (int i = 0; i < 160; i++) {
        StepRequest req = StepCheck.request(5000 + i, 24);
        inFlight.add(client.submit(req).toCompletableFuture().thenAccept(res -> {
          String bad = check.mismatch(req, res);
          synchronized (failures) {
            if (bad != null) {
              failures.add(bad);
            }
            run.record(res);
          }
          completed.incrementAndGet();
        }));
        if (inFlight.size() >= 4) {
          inFlight.remove(0).get(120, TimeUnit.SECONDS);
        }
        if (!faulted && completed.get() >= 40) {
          fault.inject(client);
          faulted = true;
        }
      }
      for (CompletableFuture<Void> f : inFlight) {
        f.get(120, TimeUnit.SECONDS);
      }
      assertTrue(faulted, "the fault was injected mid-run");
      assertTrue(failures.isEmpty(), () -> failures.size() + " wrong results; first: " + failures.get(0));
      assertEquals(160, completed.get(), "every step completed");
      assertEquals("ready", status(client).worldState());
    }
    return run;
  }

  private boolean coordinatorStartedOnAnotherNode() throws IOException {
    for (int r = 1; r < LocalCluster4.WORLD; r++) {
      if (Files.readString(cluster.log("node" + r)).contains("coordinator started")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Seconds since the first mark, per event, for the report: as the test saw them, and as a node's
   * log has them (what the test sees through the client can lag, e.g. behind a status request to
   * the frozen node's gateway).
   */
  private static final class Timeline {
    private long start;
    private LocalTime startClock;
    private final List<String> marks = new ArrayList<>();

    synchronized void mark(String event) {
      if (marks.isEmpty()) {
        start = System.nanoTime();
        startClock = LocalTime.now();
      }
      marks.add(String.format("+%.1fs %s", (System.nanoTime() - start) / 1e9, event));
    }

    /** The log lines (node logs start with HH:mm:ss.SSS) after the first mark that contain one of {@code events}. */
    synchronized String fromLog(List<String> log, String... events) {
      List<String> out = new ArrayList<>();
      for (String line : log) {
        LocalTime at;
        try {
          at = LocalTime.parse(line.substring(0, 12));
        } catch (RuntimeException e) {
          continue; // a stack trace or a wrapped line
        }
        double since = Duration.between(startClock, at).toMillis() / 1e3;
        for (String event : events) {
          if (since >= 0 && line.contains(event)) {
            out.add(String.format("+%.1fs %s", since, line.substring(line.indexOf(" - ") + 3)));
          }
        }
      }
      return String.join("; ", out);
    }

    @Override
    public synchronized String toString() {
      return String.join("; ", marks);
    }
  }

  /** What the steps of one run saw. */
  private static final class Run {
    long firstGeneration;
    long lastGeneration;
    int retried;

    void record(StepResult r) {
      lastGeneration = Math.max(lastGeneration, r.generation());
      if (r.attempts() > 1) {
        retried++;
      }
    }
  }
}
