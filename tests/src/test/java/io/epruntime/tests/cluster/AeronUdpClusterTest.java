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
 * Pekko remoting over Artery's {@code aeron-udp} transport instead of tcp: every node and the client
 * set {@code pekko.remote.artery.transport = aeron-udp} (each Pekko then runs its own embedded Aeron
 * media driver beside ep's); four node processes form a world and run mixed HT/LL steps, each
 * checked against the CPU reference.
 */
class AeronUdpClusterTest extends LocalClusterTest {
  private static final String TRANSPORT = "pekko.remote.artery.transport";
  // Pekko's media driver and Artery's agents idle by sleeping (one shared driver thread): five of
  // each share this machine's cores with the nodes' own transports.
  private static final String IDLE = "pekko.remote.artery.advanced.aeron.idle-cpu-level";

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void fourRanksOnAeronUdpFormAWorldAndRunVerifiedSteps() throws Exception {
    cluster = new LocalCluster4("aeron-udp", List.of("-D" + TRANSPORT + "=aeron-udp", "-D" + IDLE + "=1"));
    cluster.startAll();
    Config clientConfig = ConfigFactory.parseMap(Map.of(TRANSPORT, "aeron-udp", IDLE, 1, "pekko.remote.artery.bind.bind-timeout", "20s"))
        .withFallback(ConfigFactory.load());
    ClientSettings settings = ClientSettings.of(cluster.gateways(0, 1, 2, 3)).withConnectTimeout(Duration.ofSeconds(120))
        .withMaxRetries(0);
    int steps = 150;
    try (EpClient client = EpClient.connect(settings, clientConfig)) {
      StepCheck.MixedRun run = new StepCheck().runMixed(client, steps, 8, 3000, 24);
      assertTrue(run.failures().isEmpty(), () -> run.failures().size() + " steps differ from the reference; first: " + run.failures().get(0));
      assertTrue(run.ll() > 20 && run.ht() > 20, "both modes ran: LL " + run.ll() + ", HT " + run.ht());
      ClusterStatus status = StepCheck.settledStatus(client);
      assertEquals("ready", status.worldState());
      assertEquals(steps, status.stepsCompleted());
    }
    for (int r = 0; r < LocalCluster4.WORLD; r++) {
      String log = Files.readString(cluster.log("node" + r));
      assertTrue(log.contains("Remoting started with transport [Artery aeron-udp]"), "node " + r + " runs Artery on aeron-udp");
      // Pekko's driver lives beside the node's own (so LocalCluster4 also cleans up after a kill).
      assertTrue(log.matches("(?s).*Started embedded media driver in directory \\[[^\\]]*/ep-aeron-\\d+-\\p{XDigit}+-pekko\\].*"),
          "node " + r + ": Pekko's media driver directory");
    }
  }
}
