package io.epruntime.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.cluster.BootstrapAck;
import io.epruntime.protocol.cluster.EndGeneration;
import io.epruntime.protocol.actor.GetStatus;
import io.epruntime.protocol.actor.NewUniqueId;
import io.epruntime.protocol.actor.Probe;
import io.epruntime.protocol.actor.RankHello;
import io.epruntime.protocol.cluster.RunStep;
import io.epruntime.protocol.cluster.StatusReport;
import io.epruntime.protocol.cluster.StepCompleted;
import io.epruntime.protocol.cluster.StepError;
import io.epruntime.protocol.cluster.StepFailedOnRank;
import io.epruntime.protocol.cluster.SubmitStep;
import io.epruntime.protocol.cluster.ToClient;
import io.epruntime.protocol.cluster.ToCoordinator;
import io.epruntime.protocol.cluster.ToRank;
import io.epruntime.protocol.cluster.UniqueIdReply;
import io.epruntime.protocol.cluster.WorldReady;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.wire.BootstrapRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The coordinator with test probes standing in for four ranks and a client, every message through
 * CBOR ({@code serialize-messages = on}): it forms and bootstraps a world, runs a step (the ranks
 * report to the coordinator itself), and when a rank hangs, or no rank answers, the per-step
 * watchdog fails the step with a retriable error, ends the generation and forms the next one.
 */
class CoordinatorTest {
  private static final EpConfig WORLD = new EpConfig(4, 8, 128, 2, 16, 1, DType.BF16);
  private static final ActorTestKit KIT = ActorTestKit.create("ep", Node.layered(ConfigFactory.parseString(String.join("\n",
      "pekko.actor.serialize-messages = on",
      "pekko.remote.artery.canonical.port = 0",
      "pekko.coordinated-shutdown.exit-jvm = off",
      "ep.node.rank = 0"))));

  private static final NodeSettings SETTINGS = new NodeSettings(WORLD, 0, "127.0.0.1", List.of("127.0.0.1:1"), "cpu",
      Duration.ofMillis(200), 100, Duration.ofSeconds(2), 4, Duration.ofSeconds(20), Duration.ofSeconds(1));

  @BeforeAll
  static void joinCluster() {
    TestProbe<SelfUp> up = KIT.createTestProbe();
    Cluster cluster = Cluster.get(KIT.system());
    cluster.subscriptions().tell(Subscribe.create(up.ref(), SelfUp.class));
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    up.expectMessageClass(SelfUp.class, Duration.ofSeconds(20));
  }

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  /** A coordinator with four probe ranks that said hello; not yet bootstrapped. */
  private record World(ActorRef<ToCoordinator> coordinator, List<TestProbe<ToRank>> ranks, RecordingChannel channel) {
    static World start(String name) {
      RecordingChannel channel = new RecordingChannel();
      ActorRef<ToCoordinator> coordinator = KIT.spawn(Coordinator.create(SETTINGS, channel, PROBE_DELIVERY, new io.epruntime.rank.NodeMetrics()), name);
      List<TestProbe<ToRank>> ranks = new ArrayList<>();
      for (int r = 0; r < 4; r++) {
        TestProbe<ToRank> p = KIT.createTestProbe(name + "-rank" + r);
        ranks.add(p);
        coordinator.tell(new RankHello(r, p.ref(), "127.0.0.1:" + (5000 + r), WORLD, "cpu", 0, -1, io.epruntime.protocol.cluster.RankHealth.IDLE, "", 0));
      }
      return new World(coordinator, ranks, channel);
    }

    long bootstrap() throws InterruptedException {
      return CoordinatorTest.bootstrap(coordinator, ranks, channel);
    }

    /** The RunStep every rank got for the next step; the same for all. */
    RunStep runStep() {
      RunStep first = next(ranks.get(0), RunStep.class);
      for (int r = 1; r < 4; r++) {
        assertEquals(first.seq(), next(ranks.get(r), RunStep.class).seq());
      }
      return first;
    }

    /** Every rank got EndGeneration(g); returns the reason. */
    String ended(long g) {
      String reason = null;
      for (TestProbe<ToRank> rank : ranks) {
        EndGeneration end = next(rank, EndGeneration.class);
        assertEquals(g, end.generation());
        reason = end.reason();
      }
      return reason;
    }

    StatusReport status(TestProbe<ToClient> client) {
      coordinator.tell(new GetStatus(client.ref()));
      return client.expectMessageClass(StatusReport.class, Duration.ofSeconds(10));
    }
  }

  /** Stand-ins for clients, by the endpoint their steps name. */
  private static final Map<String, Client> CLIENTS = new ConcurrentHashMap<>();

  /** A client's endpoint: the step errors the coordinator sends it (over Aeron in a node). */
  private static final class Client {
    final BlockingQueue<StepError> errors = new LinkedBlockingQueue<>();

    StepError receiveMessage(Duration within) throws InterruptedException {
      StepError e = errors.poll(within.toMillis(), TimeUnit.MILLISECONDS);
      assertTrue(e != null, "no step error within " + within);
      return e;
    }

    List<StepError> receiveSeveralMessages(int n, Duration within) throws InterruptedException {
      List<StepError> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        out.add(receiveMessage(within));
      }
      return out;
    }

    void expectNoMessage(Duration d) throws InterruptedException {
      StepError e = errors.poll(d.toMillis(), TimeUnit.MILLISECONDS);
      assertTrue(e == null, "unexpected " + e);
    }
  }

  private static Client clientProbe() {
    Client c = new Client();
    CLIENTS.put(endpointOf(c), c);
    return c;
  }

  private static String endpointOf(Client client) {
    return "client-" + System.identityHashCode(client) + ":1";
  }

  /** RunSteps go straight to the probes standing in for the ranks, step errors to the clients' probes; no Aeron here. */
  private static final StepDelivery PROBE_DELIVERY = new StepDelivery() {
    @Override
    public void runStep(Iterable<RankRegistry.Entry> ranks, RunStep step) {
      ranks.forEach(e -> e.ref.tell(step));
    }

    @Override
    public void stepError(String clientEndpoint, StepError error) {
      CLIENTS.get(clientEndpoint).errors.add(error);
    }

    @Override
    public String submitEndpoint() {
      return "127.0.0.1:1";
    }
  };

  /** Bootstrap records the coordinator hands to the transport; no Aeron here. */
  private static final class RecordingChannel implements BootstrapChannel {
    final BlockingQueue<BootstrapRecord> published = new LinkedBlockingQueue<>();

    @Override
    public CompletionStage<Void> publish(String rankEndpoint, BootstrapRecord record) {
      published.add(record);
      return new CompletableFuture<>();
    }

    @Override
    public void acknowledged(long generation, int rank, BootstrapRecord.Phase phase) {}

    @Override
    public void cancel(long generation) {}
  }

  /** The next message of {@code type}, skipping the periodic health probes. */
  private static <T> T next(TestProbe<ToRank> rank, Class<T> type) {
    List<ToRank> got = rank.fishForMessage(Duration.ofSeconds(10), m -> m instanceof Probe
        ? FishingOutcomes.continueAndIgnore() : type.isInstance(m) ? FishingOutcomes.complete() : FishingOutcomes.fail("unexpected " + m));
    return type.cast(got.get(got.size() - 1));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void formsAWorldRunsAStepAndEndsTheGenerationWhenARankHangs() throws Exception {
    World world = World.start("coordinator");
    ActorRef<ToCoordinator> coordinator = world.coordinator();
    List<TestProbe<ToRank>> ranks = world.ranks();
    long g = world.bootstrap();

    Client client = clientProbe();
    coordinator.tell(new SubmitStep(9, 1, g, new int[] {1, 2, 3, 4}, ExpertKernelSpec.scale(), null, endpointOf(client), System.nanoTime()));
    for (int r = 0; r < 4; r++) {
      RunStep run = next(ranks.get(r), RunStep.class);
      assertEquals(g, run.generation());
      assertEquals(0, run.index());
      assertEquals(StepMode.LL, run.mode());
      world.coordinator().tell(new StepCompleted(run.seq(), g, r, 1, 256, 256, 1000));
    }
    // A completed step needs no answer from the coordinator (the client has the ranks' outputs): it
    // only frees its place in the window.
    client.expectNoMessage(Duration.ofMillis(300));
    assertEquals(1, world.status(KIT.createTestProbe()).stepsCompleted());

    coordinator.tell(new SubmitStep(9, 2, 0, new int[] {20, 2, 3, 4}, ExpertKernelSpec.scale(), null, endpointOf(client), System.nanoTime()));
    for (int r = 0; r < 4; r++) {
      RunStep run = next(ranks.get(r), RunStep.class);
      assertEquals(StepMode.HT, run.mode(), "20 tokens exceed the LL capacity of 16");
      if (r != 2) { // rank 2 hangs
        world.coordinator().tell(new StepCompleted(run.seq(), g, r, 1, 256, 256, 1000));
      }
    }
    StepError error = client.receiveMessage(Duration.ofSeconds(10));
    assertEquals(io.epruntime.protocol.ep.StepStatus.TIMED_OUT, error.status());
    assertTrue(error.status().retriable());
    assertTrue(error.message().contains("[2]"), error.message());
    for (TestProbe<ToRank> rank : ranks) {
      assertEquals(g, next(rank, EndGeneration.class).generation());
    }
    assertEquals(g + 1, world.bootstrap(), "the next generation forms at once, all ranks being alive");

    // A client still holding generation g's world view sent its tensors by g's rank endpoints:
    // refused as retriable, and no rank is told to run it (it would hold up g + 1's order).
    coordinator.tell(new SubmitStep(9, 3, g, new int[] {1, 2, 3, 4}, ExpertKernelSpec.scale(), null, endpointOf(client), System.nanoTime()));
    StepError stale = client.receiveMessage(Duration.ofSeconds(10));
    assertEquals(io.epruntime.protocol.ep.StepStatus.RETRIABLE, stale.status());
    assertEquals("the client's world view is generation " + g + " but the world is in generation " + (g + 1), stale.message());
    coordinator.tell(new SubmitStep(9, 4, g + 1, new int[] {1, 2, 3, 4}, ExpertKernelSpec.scale(), null, endpointOf(client), System.nanoTime()));
    for (TestProbe<ToRank> rank : ranks) {
      RunStep run = next(rank, RunStep.class);
      assertEquals(4, run.requestId(), "the refused step was never sent to the ranks");
      assertEquals(g + 1, run.generation());
    }
    KIT.stop(coordinator);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void ignoresStaleReportsRefusesPastTheWindowAndTimesOutAStepNoRankAnswers() throws Exception {
    World world = World.start("coordinator-2");
    long g = world.bootstrap();
    Client client = clientProbe();

    // Duplicate, old-generation, unknown-rank and unknown-step reports change nothing.
    world.coordinator().tell(new SubmitStep(9, 1, 0, new int[] {1, 1, 1, 1}, ExpertKernelSpec.scale(), null, endpointOf(client), System.nanoTime()));
    RunStep run = world.runStep();
    for (int r = 0; r < 3; r++) {
      world.coordinator().tell(new StepCompleted(run.seq(), g, r, 1, 100, 10, 1000));
    }
    world.coordinator().tell(new StepCompleted(run.seq(), g, 0, 1, 100, 10, 1000));
    world.coordinator().tell(new StepCompleted(run.seq(), g - 1, 3, 1, 100, 10, 1000));
    world.coordinator().tell(new StepCompleted(run.seq(), g, 7, 1, 100, 10, 1000));
    world.coordinator().tell(new StepCompleted(run.seq() + 100, g, 3, 1, 100, 10, 1000));
    client.expectNoMessage(Duration.ofMillis(300));
    world.coordinator().tell(new StepCompleted(run.seq(), g, 3, 1, 100, 10, 1000));
    client.expectNoMessage(Duration.ofMillis(300));
    assertEquals(0, world.status(KIT.createTestProbe()).stepsInFlight(), "the last rank's report ends the step, once");
    // Late reports for a finished step: no second answer, and the generation goes on.
    world.coordinator().tell(new StepCompleted(run.seq(), g, 3, 1, 100, 10, 1000));
    world.coordinator().tell(new StepFailedOnRank(run.seq(), g, 2, io.epruntime.protocol.ep.StepStatus.FAILED, "late"));
    client.expectNoMessage(Duration.ofMillis(300));
    StatusReport status = world.status(KIT.createTestProbe());
    assertEquals(0, status.stepsInFlight());
    assertEquals(1, status.stepsCompleted());

    // ep.max-in-flight = 4 steps nobody answers; the fifth is refused at once.
    Set<Long> seqs = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      world.coordinator().tell(new SubmitStep(9, 10 + i, 0, new int[] {1, 1, 1, 1}, ExpertKernelSpec.scale(), null, endpointOf(client), System.nanoTime()));
      seqs.add(world.runStep().seq()); // a rank that saw EndGeneration here would fail next()
    }
    world.coordinator().tell(new SubmitStep(9, 20, 0, new int[] {1, 1, 1, 1}, ExpertKernelSpec.scale(), null, endpointOf(client), System.nanoTime()));
    StepError refused = client.receiveMessage(Duration.ofSeconds(10));
    assertEquals(20, refused.requestId());
    assertEquals(io.epruntime.protocol.ep.StepStatus.BACK_PRESSURE, refused.status());
    assertEquals("the cluster has 4 steps in flight (ep.max-in-flight = 4)", refused.message());
    assertEquals(4, world.status(KIT.createTestProbe()).stepsInFlight());

    // The first watchdog to fire (ep.step-timeout = 2 s) fails its step and ends the generation,
    // which answers the other three; every client gets a retriable error, once.
    int timedOut = 0;
    Set<Long> answered = new HashSet<>();
    for (StepError e : client.receiveSeveralMessages(4, Duration.ofSeconds(10))) {
      assertTrue(e.status().retriable(), e.status() + ": " + e.message());
      assertEquals(g, e.generation());
      assertTrue(answered.add(e.requestId()));
      if (e.message().contains("did not finish within the step time-out; ranks still running: [0, 1, 2, 3]")) {
        timedOut++;
      } else {
        assertTrue(e.message().startsWith("world generation " + g + " ended: step "), e.message());
        assertTrue(e.message().endsWith(" hung on ranks [0, 1, 2, 3]"), e.message());
      }
    }
    assertEquals(1, timedOut);
    assertEquals(Set.of(10L, 11L, 12L, 13L), answered);
    String reason = world.ended(g);
    assertTrue(reason.endsWith(" hung on ranks [0, 1, 2, 3]"), reason);
    for (long seq : seqs) {
      world.coordinator().tell(new StepCompleted(seq, g, 0, 1, 100, 10, 1000));
    }
    client.expectNoMessage(Duration.ofMillis(300));
    status = world.status(KIT.createTestProbe());
    assertEquals(0, status.stepsInFlight());
    assertEquals(1, status.stepsCompleted());

    // In the next generation a rank that refuses a step's input fails only that step: the client
    // gets REJECTED and the generation goes on.
    long g2 = world.bootstrap();
    assertEquals(g + 1, g2);
    world.coordinator().tell(new SubmitStep(9, 29, 0, new int[] {1, 1, 1, 1}, ExpertKernelSpec.scale(), null, endpointOf(client), System.nanoTime()));
    RunStep refusedStep = world.runStep();
    world.coordinator().tell(new StepFailedOnRank(refusedStep.seq(), g2, 2, io.epruntime.protocol.ep.StepStatus.REJECTED,
        "x.tokens = 3 is not the step's count for rank 2, 1"));
    StepError rejected = client.receiveMessage(Duration.ofSeconds(10));
    assertEquals(io.epruntime.protocol.ep.StepStatus.REJECTED, rejected.status());
    assertEquals("rank 2: x.tokens = 3 is not the step's count for rank 2, 1", rejected.message());
    StatusReport afterRefusal = world.status(KIT.createTestProbe());
    assertEquals(g2, afterRefusal.generation(), "refused input did not end the generation");
    assertEquals(0, afterRefusal.stepsInFlight());

    // A rank whose step fails (not an abort) gets the client FAILED and ends the generation.
    world.coordinator().tell(new SubmitStep(9, 30, 0, new int[] {1, 1, 1, 1}, ExpertKernelSpec.scale(), null, endpointOf(client), System.nanoTime()));
    RunStep bad = world.runStep();
    assertTrue(bad.seq() > run.seq());
    world.coordinator().tell(new StepFailedOnRank(bad.seq(), g, 1, io.epruntime.protocol.ep.StepStatus.FAILED, "old world"));
    world.coordinator().tell(new StepFailedOnRank(bad.seq(), g2, 1, io.epruntime.protocol.ep.StepStatus.FAILED, "kernel exploded"));
    StepError failed = client.receiveMessage(Duration.ofSeconds(10));
    assertEquals(io.epruntime.protocol.ep.StepStatus.FAILED, failed.status());
    assertEquals("rank 1: kernel exploded", failed.message());
    assertEquals("step " + bad.seq() + " failed: rank 1: kernel exploded", world.ended(g2));
    KIT.stop(world.coordinator());
  }

  /**
   * GPU ranks answer the join with peer windows: the coordinator hands every rank the whole table
   * (phase PEERS, the windows in rank order, an empty one for a rank that brought none) and the
   * world is Ready only once every rank acknowledged that phase too; a late JOIN ack changes nothing.
   */
  @Test
  void peerWindowsTakeASecondPhaseBeforeReady() throws Exception {
    World world = World.start("coordinator-peers");
    NewUniqueId ask = next(world.ranks().get(0), NewUniqueId.class);
    long g = ask.generation();
    ask.replyTo().tell(new UniqueIdReply(g, new byte[128], null));
    for (int r = 0; r < 4; r++) {
      assertEquals(BootstrapRecord.Phase.JOIN, world.channel().published.poll(10, TimeUnit.SECONDS).phase());
    }
    for (int r = 0; r < 4; r++) {
      byte[] window = r == 2 ? new byte[0] : new byte[] {(byte) r, 42};
      world.coordinator().tell(new BootstrapAck(g, r, BootstrapRecord.Phase.JOIN, null, window));
    }
    Set<Integer> addressed = new HashSet<>();
    for (int r = 0; r < 4; r++) {
      BootstrapRecord rec = world.channel().published.poll(10, TimeUnit.SECONDS);
      assertEquals(BootstrapRecord.Phase.PEERS, rec.phase());
      assertEquals(g, rec.generation());
      addressed.add(rec.rank());
      List<byte[]> table = rec.peerWindows();
      assertEquals(4, table.size());
      for (int q = 0; q < 4; q++) {
        assertEquals(q == 2 ? 0 : 2, table.get(q).length, "window of rank " + q);
        if (q != 2) {
          assertEquals(q, table.get(q)[0]);
        }
      }
    }
    assertEquals(Set.of(0, 1, 2, 3), addressed);
    // Phase one is not Ready: no rank hears WorldReady before every PEERS ack.
    world.coordinator().tell(new BootstrapAck(g, 1, BootstrapRecord.Phase.JOIN, null, new byte[] {1, 42}));
    for (int r = 0; r < 3; r++) {
      world.coordinator().tell(new BootstrapAck(g, r, BootstrapRecord.Phase.PEERS, null, null));
    }
    world.ranks().get(0).expectNoMessage(Duration.ofMillis(300));
    world.coordinator().tell(new BootstrapAck(g, 3, BootstrapRecord.Phase.PEERS, null, null));
    for (TestProbe<ToRank> rank : world.ranks()) {
      assertEquals(g, next(rank, WorldReady.class).generation());
    }
    KIT.stop(world.coordinator());
  }

  /** A rank that cannot reach its peers' windows ends the generation, naming why. */
  @Test
  void aFailedPeerPhaseEndsTheGeneration() throws Exception {
    World world = World.start("coordinator-peers-fail");
    NewUniqueId ask = next(world.ranks().get(0), NewUniqueId.class);
    long g = ask.generation();
    ask.replyTo().tell(new UniqueIdReply(g, new byte[128], null));
    for (int r = 0; r < 4; r++) {
      world.channel().published.poll(10, TimeUnit.SECONDS);
      world.coordinator().tell(new BootstrapAck(g, r, BootstrapRecord.Phase.JOIN, null, new byte[] {7}));
    }
    world.coordinator().tell(new BootstrapAck(g, 3, BootstrapRecord.Phase.PEERS, "cudaIpcOpenMemHandle failed", null));
    assertTrue(world.ended(g).contains("rank 3 could not reach its peers: cudaIpcOpenMemHandle failed"));
    KIT.stop(world.coordinator());
  }

  /** Plays the ranks through one bootstrap; returns its generation. */
  private static long bootstrap(ActorRef<ToCoordinator> coordinator, List<TestProbe<ToRank>> ranks, RecordingChannel channel)
      throws InterruptedException {
    NewUniqueId ask = next(ranks.get(0), NewUniqueId.class);
    long g = ask.generation();
    ask.replyTo().tell(new UniqueIdReply(g, new byte[128], null));
    for (int r = 0; r < 4; r++) {
      BootstrapRecord rec = channel.published.poll(10, TimeUnit.SECONDS);
      assertEquals(g, rec.generation());
      assertEquals(List.of("127.0.0.1:5000", "127.0.0.1:5001", "127.0.0.1:5002", "127.0.0.1:5003"), rec.dataEndpoints());
    }
    for (int r = 0; r < 4; r++) {
      coordinator.tell(BootstrapAck.joined(g, r, null));
    }
    for (TestProbe<ToRank> rank : ranks) {
      assertEquals(g, next(rank, WorldReady.class).generation());
    }
    return g;
  }
}
