package io.epruntime.rank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.cluster.BootstrapAck;
import io.epruntime.protocol.cluster.ToCoordinator;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.wire.BootstrapRecord;
import io.epruntime.rank.backend.WorldSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A rank's side of the two bootstrap phases, with a backend that brings a peer window: the JOIN
 * ack carries the window (again on a duplicate record), the PEERS record hands the backend every
 * rank's window once, and its ack comes when the backend connected; a failed connect is reported
 * with the reason.
 */
class RankActorJoinTest {
  private static final ActorTestKit KIT = ActorTestKit.create();
  private static final EpConfig WORLD = new EpConfig(2, 4, 64, 2, 8, 1, DType.BF16);

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  /** A backend whose window is {rank, 7}; connectPeers completes when the test says so. */
  static final class WindowBackend extends FakeBackend {
    final List<List<byte[]>> connects = new CopyOnWriteArrayList<>();
    volatile CompletableFuture<Void> connected = new CompletableFuture<>();

    @Override
    public CompletionStage<byte[]> joinWorld(WorldSpec world) {
      return CompletableFuture.completedFuture(new byte[] {(byte) world.rank(), 7});
    }

    @Override
    public CompletionStage<Void> connectPeers(long generation, List<byte[]> windows) {
      connects.add(windows);
      return connected;
    }
  }

  private static ActorRef<io.epruntime.protocol.cluster.ToRank> rank(WindowBackend backend, TestProbe<ToCoordinator> coordinator) {
    RankSettings settings = new RankSettings(1, WORLD, "127.0.0.1:1", Duration.ofSeconds(5), 4, Duration.ofMillis(300));
    RankIo io = new RankIo() {
      @Override
      public CompletionStage<Void> sendOutput(String endpoint, io.epruntime.protocol.wire.StepOutputFrame frame) {
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public void report(String endpoint, io.epruntime.protocol.cluster.StepCompleted completed) {}

      @Override
      public void report(String endpoint, io.epruntime.protocol.cluster.StepFailedOnRank failed) {}
    };
    return KIT.spawn(Behaviors.<io.epruntime.protocol.cluster.ToRank>setup(ctx -> RankActor.create(settings, backend, io,
        coordinator.ref(), new RankStatusBoard(), new NodeMetrics())));
  }

  private static RankActor.BootstrapArrived record(BootstrapRecord.Phase phase, List<byte[]> windows) {
    return new RankActor.BootstrapArrived(3, 2, 1, phase, new byte[128], List.of("a:1", "b:2"), windows);
  }

  private static BootstrapAck ack(TestProbe<ToCoordinator> coordinator) {
    return coordinator.fishForMessage(Duration.ofSeconds(10), m -> m instanceof BootstrapAck
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).stream()
        .filter(BootstrapAck.class::isInstance).map(BootstrapAck.class::cast).reduce((a, b) -> b).orElseThrow();
  }

  /** No bootstrap ack for a while (the rank's hello may come meanwhile). */
  private static void noAck(TestProbe<ToCoordinator> coordinator) {
    long end = System.nanoTime() + Duration.ofMillis(300).toNanos();
    while (System.nanoTime() < end) {
      ToCoordinator m;
      try {
        m = coordinator.receiveMessage(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
      } catch (AssertionError timedOut) {
        return;
      }
      assertTrue(!(m instanceof BootstrapAck), "unexpected " + m);
    }
  }

  @Test
  void joinAnswersWithTheWindowAndPeersAnswerOnceConnected() {
    WindowBackend backend = new WindowBackend();
    TestProbe<ToCoordinator> coordinator = KIT.createTestProbe();
    ActorRef<io.epruntime.protocol.cluster.ToRank> rank = rank(backend, coordinator);
    rank.tell(record(BootstrapRecord.Phase.JOIN, List.of()));
    BootstrapAck joined = ack(coordinator);
    assertEquals(BootstrapRecord.Phase.JOIN, joined.phase());
    assertNull(joined.error());
    assertArrayEquals(new byte[] {1, 7}, joined.window());
    // A duplicate JOIN record (the ack was lost) is answered again, with the same window.
    rank.tell(record(BootstrapRecord.Phase.JOIN, List.of()));
    assertArrayEquals(new byte[] {1, 7}, ack(coordinator).window());

    List<byte[]> table = List.of(new byte[] {0, 7}, new byte[] {1, 7});
    rank.tell(record(BootstrapRecord.Phase.PEERS, table));
    rank.tell(record(BootstrapRecord.Phase.PEERS, table)); // a re-send while connecting
    noAck(coordinator);
    backend.connected.complete(null);
    BootstrapAck peers = ack(coordinator);
    assertEquals(BootstrapRecord.Phase.PEERS, peers.phase());
    assertNull(peers.error());
    assertEquals(1, backend.connects.size(), "the backend connects once per generation");
    assertArrayEquals(new byte[] {0, 7}, backend.connects.get(0).get(0));
    // A re-sent PEERS record after the ack was lost: answered again, no second connect.
    rank.tell(record(BootstrapRecord.Phase.PEERS, table));
    assertEquals(BootstrapRecord.Phase.PEERS, ack(coordinator).phase());
    assertEquals(1, backend.connects.size());
  }

  @Test
  void aFailedConnectIsReportedWithItsReason() {
    WindowBackend backend = new WindowBackend();
    backend.connected.completeExceptionally(new IllegalStateException("cudaIpcOpenMemHandle failed: invalid context"));
    TestProbe<ToCoordinator> coordinator = KIT.createTestProbe();
    ActorRef<io.epruntime.protocol.cluster.ToRank> rank = rank(backend, coordinator);
    rank.tell(record(BootstrapRecord.Phase.PEERS, List.of(new byte[1], new byte[1])));
    noAck(coordinator); // PEERS before JOIN: ignored, the coordinator re-sends
    rank.tell(record(BootstrapRecord.Phase.JOIN, List.of()));
    assertEquals(BootstrapRecord.Phase.JOIN, ack(coordinator).phase());
    rank.tell(record(BootstrapRecord.Phase.PEERS, List.of(new byte[1], new byte[1])));
    BootstrapAck failed = ack(coordinator);
    assertEquals(BootstrapRecord.Phase.PEERS, failed.phase());
    assertTrue(failed.error().contains("cudaIpcOpenMemHandle failed"), failed.error());
  }
}
