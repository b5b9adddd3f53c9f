package io.epruntime.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.client.ClientSettings;
import io.epruntime.client.EpClient;
import io.epruntime.client.StepRequest;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exits leave /dev/shm clean: a closed client removes its media driver's directory, and node
 * processes ended by SIGTERM or SIGINT remove theirs on their way out (the downed node's own exit is
 * checked in {@link RecoveryTest}).
 */
class CleanExitTest extends LocalClusterTest {

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void aClosedClientAndNodesEndedBySignalLeaveNoAeronDirectory() throws Exception {
    cluster = new LocalCluster4("clean-exit", List.of());
    cluster.startAll();
    long self = ProcessHandle.current().pid();
    Set<File> before = Set.copyOf(LocalCluster4.aeronDirectories(self));
    try (EpClient client = EpClient.connect(ClientSettings.of(cluster.gateways(0, 1, 2, 3)).withConnectTimeout(Duration.ofSeconds(120)))) {
      assertTrue(LocalCluster4.aeronDirectories(self).size() > before.size(), "the client has its own directory");
      StepRequest req = StepCheck.request(5, 8);
      assertNull(new StepCheck().mismatch(req, client.submit(req).toCompletableFuture().get(60, TimeUnit.SECONDS)));
    }
    assertEquals(before, Set.copyOf(LocalCluster4.aeronDirectories(self)), "the closed client's directory is gone");

    for (var victim : List.of(new int[] {3, 15}, new int[] {2, 2})) {
      int rank = victim[0];
      String signal = victim[1] == 15 ? "TERM" : "INT";
      long pid = cluster.process(rank).pid();
      assertEquals(1, LocalCluster4.aeronDirectories(pid).size(), "rank " + rank + " has its directory");
      cluster.signal(rank, signal);
      assertTrue(cluster.process(rank).waitFor(90, TimeUnit.SECONDS), "rank " + rank + " exits on SIG" + signal);
      assertEquals(List.of(), LocalCluster4.aeronDirectories(pid).stream().map(File::getName).collect(Collectors.toList()),
          "rank " + rank + " left its Aeron directory after SIG" + signal);
      cluster.exited(rank);
    }
  }
}
