package io.epruntime.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.epruntime.client.ClientSettings;
import io.epruntime.client.EpClient;
import io.epruntime.tests.container.Await;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.PoisonPill;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an outsider with no credentials could do to a cluster over its Pekko remoting port, as a
 * hostile-input probe found: a 19-byte Artery frame with a 2 GiB length that wedged a node's inbound
 * stream in a loop of log lines, and a {@code PoisonPill} sent by actor selection that stopped a rank
 * actor while its node still answered {@code /alive}. On mutual TLS neither gets through; and a node
 * whose rank actor stops for any reason exits, so that it is restarted.
 */
class HostileInputTest extends LocalClusterTest {

  /** "AKKA", stream 2 (ordinary messages), a frame length of 0x7FFFFFFF, then 10 bytes: 19 bytes. */
  static byte[] wedgeFrame() {
    ByteBuffer b = ByteBuffer.allocate(19).order(ByteOrder.LITTLE_ENDIAN);
    b.put("AKKA".getBytes(StandardCharsets.US_ASCII)).put((byte) 2).putInt(0x7FFFFFFF);
    while (b.hasRemaining()) {
      b.put((byte) 0x41);
    }
    return b.array();
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void withoutTheClusterKeyNeitherAMalformedFrameNorAPoisonPillReachesANode() throws Exception {
    cluster = new LocalCluster4("hostile-tls", List.of()).withTls();
    cluster.startAll();
    StepCheck check = new StepCheck();
    ClientSettings settings = ClientSettings.of(cluster.gateways(0, 1, 2, 3)).withConnectTimeout(Duration.ofSeconds(120));
    try (EpClient client = EpClient.connect(settings, cluster.clientConfig())) {
      long generation = client.world().generation();
      assertTrue(check.runMixed(client, 10, 4, 100, 24).failures().isEmpty());
      // The world can be Ready before node 1 sees itself Up (its /ready waits for that gossip): the
      // test is that the attack leaves a Ready node Ready, so it starts from one.
      Await.until(Duration.ofSeconds(60), "node 1 Ready before the attack",
          () -> cluster.httpStatus(1, "/ready") == 200 ? Optional.of(true) : Optional.empty());
      long logBefore = Files.size(cluster.log("node1"));

      for (int i = 0; i < 20; i++) {
        sendRaw(cluster.pekkoPort(1), wedgeFrame());
      }
      ActorSystem attacker = plainTcpActorSystem();
      try {
        attacker.actorSelection(cluster.pekkoAddress(1) + "/user/rank").tell(PoisonPill.getInstance(), ActorRef.noSender());
        attacker.actorSelection(cluster.pekkoAddress(1) + "/user/gateway").tell(PoisonPill.getInstance(), ActorRef.noSender());
        // Steps keep running meanwhile, each checked against the reference.
        assertTrue(check.runMixed(client, 40, 4, 200, 24).failures().isEmpty());
      } finally {
        attacker.terminate();
      }

      assertTrue(cluster.process(1).isAlive(), "node 1 still runs");
      assertEquals(200, cluster.httpStatus(1, "/ready"), "node 1 is still Ready");
      assertEquals(generation, client.status().toCompletableFuture().get(30, TimeUnit.SECONDS).generation(),
          "nothing ended the generation");
      String added = Files.readString(cluster.log("node1")).substring((int) logBefore);
      assertTrue(!added.contains("Dropping message"), "a malformed frame reached Artery's decoder:\n" + tail(added));
      assertTrue(added.length() < 256 * 1024, "node 1 logged " + added.length() + " bytes in the attack:\n" + tail(added));
    }
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void aNodeWhoseRankActorStopsExitsSoThatItIsRestarted() throws Exception {
    // Plain TCP remoting, where any process that reaches the port can stop an actor.
    cluster = new LocalCluster4("rank-actor-stopped", List.of());
    cluster.startAll();
    ClientSettings settings = ClientSettings.of(cluster.gateways(0, 1, 2, 3)).withConnectTimeout(Duration.ofSeconds(120));
    try (EpClient client = EpClient.connect(settings, cluster.clientConfig())) {
      ActorSystem attacker = plainTcpActorSystem();
      try {
        attacker.actorSelection(cluster.pekkoAddress(2) + "/user/rank").tell(PoisonPill.getInstance(), ActorRef.noSender());
        LocalCluster4.await("node 2 to exit once its rank actor stopped", Duration.ofSeconds(60), Duration.ofMillis(200),
            () -> !cluster.process(2).isAlive());
      } finally {
        attacker.terminate();
      }
      int code = cluster.exited(2);
      String log = Files.readString(cluster.log("node2"));
      assertEquals(3, code, "exit code of a node whose rank actor stopped:\n" + tail(log));
      assertTrue(log.contains("the node's rank actor stopped"), tail(log));
    }
  }

  private static ActorSystem plainTcpActorSystem() {
    Config c = ConfigFactory.parseString(String.join("\n",
        "pekko.actor.provider = remote",
        "pekko.remote.artery.transport = tcp",
        "pekko.remote.artery.canonical.hostname = 127.0.0.1",
        "pekko.remote.artery.canonical.port = 0",
        "pekko.remote.warn-about-direct-use = off",
        "pekko.remote.use-unsafe-remote-features-outside-cluster = on",
        "pekko.coordinated-shutdown.exit-jvm = off",
        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off")).withFallback(ConfigFactory.defaultReference());
    return ActorSystem.create("attacker", c);
  }

  private static void sendRaw(int port, byte[] bytes) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write(bytes);
      out.flush();
    } catch (IOException refused) {
      // a closed connection is the node refusing us: what the test wants
    }
  }

  private static String tail(String log) {
    return log.substring(Math.max(0, log.length() - 3000));
  }
}
