package io.epruntime.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.client.ClientSettings;
import io.epruntime.client.ClusterStatus;
import io.epruntime.client.EpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Four node processes on loopback form a world, bootstrap it over Aeron, and run mixed HT/LL steps
 * from a client (SubmitStep and RunStep over Aeron); 1000 steps, every output checked against the
 * CPU reference, and the management endpoints of a Ready node.
 */
class FourRankClusterTest extends LocalClusterTest {
  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void fourProcessesRunThousandMixedStepsMatchingTheReference() throws Exception {
    cluster = new LocalCluster4("four-rank", List.of());
    cluster.startAll();
    runMixedStepsMatchingTheReference(1000);
    assertEquals(200, cluster.httpStatus(2, "/ready"));
    assertEquals(200, cluster.httpStatus(2, "/alive"));
    String metrics = cluster.httpBody(2, "/metrics");
    assertTrue(metrics.contains("ep_steps_total{outcome=\"ok\"} 1000"), metrics);
  }

  /**
   * Connects to the world, runs {@code steps} mixed steps, 8 in flight, and checks each against the reference and the
   * coordinator's count.
   */
  private void runMixedStepsMatchingTheReference(int steps) throws Exception {
    ClientSettings settings = ClientSettings.of(cluster.gateways(0, 1, 2, 3)).withConnectTimeout(Duration.ofSeconds(90))
        .withMaxRetries(0);
    StepCheck check = new StepCheck();
    try (EpClient client = EpClient.connect(settings)) {
      assertEquals(StepCheck.WORLD, client.world().config());
      StepCheck.MixedRun run = check.runMixed(client, steps, 8, 1000, 24);
      assertTrue(run.failures().isEmpty(),
          () -> run.failures().size() + " steps differ from the reference; first: " + run.failures().get(0));
      ClusterStatus status = StepCheck.settledStatus(client);
      assertEquals("ready", status.worldState());
      assertEquals(steps, status.stepsCompleted(), "steps completed as counted by the coordinator");
      assertEquals(0, status.stepsInFlight());
      assertTrue(run.ll() > steps / 10 && run.ht() > steps / 10, "both modes ran: LL " + run.ll() + ", HT " + run.ht());
      assertEquals(steps, run.ll() + run.ht());
    }
  }
}
