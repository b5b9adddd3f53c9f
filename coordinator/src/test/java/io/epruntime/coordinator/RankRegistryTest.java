package io.epruntime.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.coordinator.RankRegistry.Accepted;
import io.epruntime.coordinator.RankRegistry.Refused;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.actor.RankHello;
import io.epruntime.protocol.cluster.ToRank;
import io.epruntime.protocol.ep.EpConfig;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Who holds a rank number: range, config, duplicates, restarts, staleness. */
class RankRegistryTest {
  private static final ActorTestKit KIT = ActorTestKit.create("registry");
  private static final EpConfig WORLD = new EpConfig(4, 8, 128, 2, 16, 1, DType.BF16);
  private static final long STALE = 1_000;

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  private static RankHello hello(int rank, ActorRef<ToRank> ref, EpConfig config) {
    return new RankHello(rank, ref, "127.0.0.1:" + (4000 + rank), config, "cpu", 0, -1, io.epruntime.protocol.cluster.RankHealth.IDLE, "", 0);
  }

  private static ActorRef<ToRank> ref() {
    return KIT.<ToRank>createTestProbe().ref();
  }

  @Test
  void rankOutOfRangeAndOtherConfigAreRefusedNamingTheProblem() {
    RankRegistry reg = new RankRegistry(WORLD, STALE);
    Refused out = assertInstanceOf(Refused.class, reg.onHello(hello(7, ref(), WORLD), 0));
    assertTrue(out.reason().contains("ep.node.rank = 7 is outside 0..3"), out.reason());
    Refused other = assertInstanceOf(Refused.class, reg.onHello(hello(1, ref(), WORLD.withDtype(DType.FP32)), 0));
    assertTrue(other.reason().contains("configured with"), other.reason());
  }

  @Test
  void aSecondHolderOfALiveRankAtTheSameAddressReplacesIt() {
    // Probes of one test kit share an address: to the registry that is a restart (new incarnation).
    RankRegistry reg = new RankRegistry(WORLD, STALE);
    ActorRef<ToRank> first = ref();
    assertTrue(assertInstanceOf(Accepted.class, reg.onHello(hello(1, first, WORLD), 0)).fresh());
    Accepted again = assertInstanceOf(Accepted.class, reg.onHello(hello(1, first, WORLD), 10));
    assertEquals(null, again.replaced());
    Accepted restarted = assertInstanceOf(Accepted.class, reg.onHello(hello(1, ref(), WORLD), 20));
    assertEquals(first, restarted.replaced().ref);
  }

  @Test
  void missingListsRanksNotRegisteredSilentOrOnNodesNotUp() {
    RankRegistry reg = new RankRegistry(WORLD, STALE);
    for (int r = 0; r < 3; r++) {
      reg.onHello(hello(r, ref(), WORLD), 0);
    }
    assertEquals(List.of(3), reg.missing(500, a -> true));
    assertEquals(List.of(0, 1, 2, 3), reg.missing(500, a -> false));
    assertEquals(List.of(0, 1, 2, 3), reg.missing(STALE + 1, a -> true));
    assertEquals(List.of(0, 1, 2), reg.silent(STALE + 1));
  }
}
