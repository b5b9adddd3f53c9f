package io.epruntime.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.epruntime.client.ClientSettings;
import io.epruntime.client.ClusterStatus;
import io.epruntime.client.EpClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The opt-in {@code ep.transport.idle-wait = socket} end to end: four node processes and the client
 * block on their media drivers' sockets when idle; the world forms, bootstraps over Aeron and runs
 * mixed HT/LL steps, each checked against the CPU reference, with idle pauses between batches so
 * that every transport thread falls into its deep wait and must be woken by the step's frames.
 */
class SocketIdleWaitClusterTest extends LocalClusterTest {
  private static final String WAIT = "ep.transport.idle-wait";

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void fourRanksWaitingOnSocketsRunVerifiedSteps() throws Exception {
    cluster = new LocalCluster4("socket-wait", List.of("-D" + WAIT + "=socket"));
    cluster.startAll();
    Config clientConfig = ConfigFactory.parseMap(Map.of(WAIT, "socket")).withFallback(ConfigFactory.load());
    ClientSettings settings = ClientSettings.of(cluster.gateways(0, 1, 2, 3)).withConnectTimeout(Duration.ofSeconds(120))
        .withMaxRetries(0);
    int batches = 3;
    int perBatch = 50;
    try (EpClient client = EpClient.connect(settings, clientConfig)) {
      for (int b = 0; b < batches; b++) {
        StepCheck.MixedRun run = new StepCheck().runMixed(client, perBatch, 8, 3000 + b, 24);
        assertTrue(run.failures().isEmpty(), () -> run.failures().size() + " steps differ from the reference; first: " + run.failures().get(0));
        assertTrue(run.ll() > 5 && run.ht() > 5, "both modes ran: LL " + run.ll() + ", HT " + run.ht());
        // Longer than deep-idle-after (250 ms): the next batch's first frames meet deeply idle threads.
        TimeUnit.MILLISECONDS.sleep(600);
      }
      ClusterStatus status = StepCheck.settledStatus(client);
      assertEquals("ready", status.worldState());
      assertEquals(batches * perBatch, status.stepsCompleted());
    }
    for (int r = 0; r < LocalCluster4.WORLD; r++) {
      String log = Files.readString(cluster.log("node" + r));
      assertTrue(log.contains("idle wait socket"), "node " + r + " runs its transport with the socket wait");
    }
  }
}
