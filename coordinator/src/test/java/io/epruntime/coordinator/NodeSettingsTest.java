package io.epruntime.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.transport.ArteryAeronUdp;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The remoting transport a node is started with: tcp or aeron-udp, anything else refused naming the key. */
class NodeSettingsTest {

  private static Config node(String extra) {
    return Node.layered(ConfigFactory.parseString("ep.node.rank = 1\n" + extra));
  }

  @Test
  void aRankPlaceholderSeedNamesEveryRanksNode() {
    NodeSettings s = NodeSettings.fromConfig(node("ep.world-size = 4\nep.experts = 8\nep.node.rank = 0\n"
        + "ep.cluster.seed-nodes = [\"ep-node-{rank}.ep-nodes:17355\", \"other:1\"]"));
    assertEquals(java.util.List.of("ep-node-0.ep-nodes:17355", "ep-node-1.ep-nodes:17355", "ep-node-2.ep-nodes:17355",
        "ep-node-3.ep-nodes:17355", "other:1"), s.seedNodes());
  }

  @Test
  void remotingIsTcpByDefaultAndAeronUdpWhenSelected() {
    assertEquals("tcp", node("").getString(ArteryAeronUdp.TRANSPORT_KEY));
    NodeSettings.fromConfig(node(""));
    NodeSettings.fromConfig(node("pekko.remote.artery.transport = aeron-udp"));
  }

  @Test
  void anotherRemotingTransportIsRefusedNamingTheKeyAndTheAllowedValues() {
    EpArgumentException e = assertThrows(EpArgumentException.class,
        () -> NodeSettings.fromConfig(node("pekko.remote.artery.transport = udp")));
    assertEquals("pekko.remote.artery.transport", e.argument());
    assertEquals("pekko.remote.artery.transport: pekko.remote.artery.transport = udp is not allowed: tcp, aeron-udp", e.getMessage());
  }

  @Test
  void aeronUdpPutsPekkosMediaDriverBesideOursUnlessConfigured() {
    Properties saved = (Properties) System.getProperties().clone();
    try {
      Config tcp = node("");
      assertSame(tcp, ArteryAeronUdp.configure(tcp, "/dev/shm/ep-aeron-1-2"), "tcp: nothing changes");
      Config udp = ArteryAeronUdp.configure(node("pekko.remote.artery.transport = aeron-udp"), "/dev/shm/ep-aeron-1-2");
      assertEquals("/dev/shm/ep-aeron-1-2-pekko", udp.getString(ArteryAeronUdp.DIR_KEY));
      assertEquals("true", System.getProperty("aeron.term.buffer.sparse.file"));
      Config own = ArteryAeronUdp.configure(
          node("pekko.remote.artery.transport = aeron-udp\npekko.remote.artery.advanced.aeron.aeron-dir = /x"), "/dev/shm/ep-aeron-1-2");
      assertEquals("/x", own.getString(ArteryAeronUdp.DIR_KEY));
    } finally {
      System.setProperties(saved);
    }
  }
}
