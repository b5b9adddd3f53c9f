package io.epruntime.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.client.ClientSettings;
import io.epruntime.client.EpClient;
import io.epruntime.client.StepRequest;
import io.epruntime.client.StepResult;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Failures with real processes: kill -9 of a rank mid-run, and of the node that hosts the
 * coordinator singleton. The killed node restarts on its ports (as a StatefulSet pod would); a new
 * generation forms; the client's retries complete every step, each checked against the CPU
 * reference, so a failure can only cost a retry, never a wrong result.
 */
@Tag("cluster")
class RecoveryTest {
  private LocalCluster4 cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void killedRankRestartsAndRetriedStepsAllComplete() throws Exception {
    cluster = new LocalCluster4("kill-rank", List.of());
    cluster.startAll();
    Run run = runWithKill(2, cluster.gateways(0, 1, 2, 3));
    assertTrue(run.retried > 0, "the kill should have cost at least one retry");
    assertTrue(run.lastGeneration > run.firstGeneration,
        "a new generation formed: first " + run.firstGeneration + ", last " + run.lastGeneration);
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void coordinatorNodeKilledSingletonMovesAndStepsResume() throws Exception {
    cluster = new LocalCluster4("kill-coordinator", List.of());
    cluster.startAll();
    Run run = runWithKill(0, cluster.gateways(1, 2, 3, 0));
    assertTrue(run.lastGeneration > run.firstGeneration,
        "a new generation formed: first " + run.firstGeneration + ", last " + run.lastGeneration);
    assertTrue(coordinatorStartedOnAnotherNode(), "the coordinator singleton started on a surviving node");
  }

  /** Submits 160 steps (window 4); after 40 completed kills rank {@code victim} and restarts it. */
  private Run runWithKill(int victim, List<String> gateways) throws Exception {
    ClientSettings settings = ClientSettings.of(gateways).withConnectTimeout(Duration.ofSeconds(90))
        .withStepTimeout(Duration.ofSeconds(15)).withMaxRetries(10).withMaxInFlight(8);
    StepCheck check = new StepCheck();
    Run run = new Run();
    try (EpClient client = EpClient.connect(settings)) {
      run.firstGeneration = client.world().generation();
      AtomicInteger completed = new AtomicInteger();
      List<String> failures = new ArrayList<>();
      List<CompletableFuture<Void>> inFlight = new ArrayList<>();
      boolean killed = false;
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
        if (!killed && completed.get() >= 40) {
          cluster.kill(victim);
          cluster.start(victim);
          killed = true;
        }
      }
      for (CompletableFuture<Void> f : inFlight) {
        f.get(120, TimeUnit.SECONDS);
      }
      assertTrue(killed, "the victim was killed mid-run");
      assertTrue(failures.isEmpty(), () -> failures.size() + " wrong results; first: " + failures.get(0));
      assertEquals(160, completed.get(), "every step completed");
      assertEquals("ready", client.status().toCompletableFuture().get(30, TimeUnit.SECONDS).worldState());
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
