package io.epruntime.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.client.ClientSettings;
import io.epruntime.client.ClusterStatus;
import io.epruntime.client.EpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Four node processes on loopback form a world, bootstrap it over Aeron, and run 1000 mixed HT/LL
 * steps from a client; every output is checked against the CPU reference. Also checks the
 * management endpoints of a Ready node.
 */
@Tag("cluster")
class FourRankClusterTest {
  private LocalCluster4 cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void fourProcessesRunThousandMixedStepsMatchingTheReference() throws Exception {
    cluster = new LocalCluster4("four-rank", List.of());
    cluster.startAll();
    ClientSettings settings = ClientSettings.of(cluster.gateways(0, 1, 2, 3)).withConnectTimeout(Duration.ofSeconds(90))
        .withMaxRetries(0);
    StepCheck check = new StepCheck();
    try (EpClient client = EpClient.connect(settings)) {
      assertEquals(StepCheck.WORLD, client.world().config());
      int steps = 1000;
      StepCheck.Summary run = check.runVerified(client, steps, 8, 1000);
      assertTrue(run.failures().isEmpty(), () -> run.failures().size() + " steps differ from the reference; first: " + run.failures().get(0));
      ClusterStatus status = client.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals("ready", status.worldState());
      assertEquals(steps, status.stepsCompleted(), "steps completed as counted by the coordinator");
      assertEquals(0, status.stepsInFlight());
      assertTrue(run.ll() > 100 && run.ht() > 100, "both modes ran: LL " + run.ll() + ", HT " + run.ht());
      assertEquals(steps, run.ll() + run.ht());
    }
    assertEquals(200, cluster.httpStatus(2, "/ready"));
    assertEquals(200, cluster.httpStatus(2, "/alive"));
    String metrics = cluster.httpBody(2, "/metrics");
    assertTrue(metrics.contains("ep_steps_total{outcome=\"ok\"} 1000"), metrics);
  }
}
