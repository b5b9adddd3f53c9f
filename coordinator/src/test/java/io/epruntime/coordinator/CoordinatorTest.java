package io.epruntime.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.cluster.BootstrapAck;
import io.epruntime.protocol.cluster.EndGeneration;
import io.epruntime.protocol.cluster.NewUniqueId;
import io.epruntime.protocol.cluster.Probe;
import io.epruntime.protocol.cluster.RankHello;
import io.epruntime.protocol.cluster.RunStep;
import io.epruntime.protocol.cluster.StepCompleted;
import io.epruntime.protocol.cluster.StepDone;
import io.epruntime.protocol.cluster.StepError;
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
import java.util.List;
import java.util.concurrent.BlockingQueue;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The coordinator with test probes standing in for four ranks and a client, every message through
 * CBOR ({@code serialize-messages = on}): it forms and bootstraps a world, runs a step, and when a
 * rank hangs the per-step watchdog fails the step with a retriable error, ends the generation and
 * forms the next one.
 */
class CoordinatorTest {
  private static final EpConfig WORLD = new EpConfig(4, 8, 128, 2, 16, 1, DType.BF16);
  private static final ActorTestKit KIT = ActorTestKit.create("ep", Node.layered(ConfigFactory.parseString(String.join("\n",
      "pekko.actor.serialize-messages = on",
      "pekko.remote.artery.canonical.port = 0",
      "pekko.coordinated-shutdown.exit-jvm = off",
      "ep.node.rank = 0"))));

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  /** Bootstrap records the coordinator hands to the transport; no Aeron here. */
  private static final class RecordingChannel implements BootstrapChannel {
    final BlockingQueue<BootstrapRecord> published = new LinkedBlockingQueue<>();

    @Override
    public CompletionStage<Void> publish(String rankEndpoint, BootstrapRecord record) {
      published.add(record);
      return new CompletableFuture<>();
    }

    @Override
    public void acknowledged(long generation, int rank) {}

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
    TestProbe<SelfUp> up = KIT.createTestProbe();
    Cluster cluster = Cluster.get(KIT.system());
    cluster.subscriptions().tell(Subscribe.create(up.ref(), SelfUp.class));
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    up.expectMessageClass(SelfUp.class, Duration.ofSeconds(20));

    NodeSettings settings = new NodeSettings(WORLD, 0, "127.0.0.1", List.of("127.0.0.1:1"), "cpu", Duration.ofMillis(200), 100,
        Duration.ofSeconds(2), 4, Duration.ofSeconds(20), "pekko");
    RecordingChannel channel = new RecordingChannel();
    ActorRef<ToCoordinator> coordinator = KIT.spawn(Coordinator.create(settings, channel), "coordinator");
    List<TestProbe<ToRank>> ranks = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      TestProbe<ToRank> p = KIT.createTestProbe("rank" + r);
      ranks.add(p);
      coordinator.tell(new RankHello(r, p.ref(), "127.0.0.1:" + (5000 + r), WORLD, "cpu", 0, -1, "idle", 0));
    }

    long g = bootstrap(coordinator, ranks, channel);

    TestProbe<ToClient> client = KIT.createTestProbe();
    coordinator.tell(new SubmitStep(9, 1, new int[] {1, 2, 3, 4}, ExpertKernelSpec.scale(), null, client.ref()));
    for (int r = 0; r < 4; r++) {
      RunStep run = next(ranks.get(r), RunStep.class);
      assertEquals(g, run.generation());
      assertEquals(0, run.index());
      assertEquals(StepMode.LL, run.mode());
      run.aggregator().tell(new StepCompleted(run.seq(), g, r, 1, 256, 256, 1000));
    }
    StepDone done = client.expectMessageClass(StepDone.class, Duration.ofSeconds(10));
    assertEquals(1, done.requestId());
    assertEquals(1024, done.dispatchBytes());

    coordinator.tell(new SubmitStep(9, 2, new int[] {20, 2, 3, 4}, ExpertKernelSpec.scale(), null, client.ref()));
    for (int r = 0; r < 4; r++) {
      RunStep run = next(ranks.get(r), RunStep.class);
      assertEquals(StepMode.HT, run.mode(), "20 tokens exceed the LL capacity of 16");
      if (r != 2) { // rank 2 hangs
        run.aggregator().tell(new StepCompleted(run.seq(), g, r, 1, 256, 256, 1000));
      }
    }
    StepError error = client.expectMessageClass(StepError.class, Duration.ofSeconds(10));
    assertEquals(StepError.Kind.RETRIABLE, error.kind());
    assertTrue(error.message().contains("[2]"), error.message());
    for (TestProbe<ToRank> rank : ranks) {
      assertEquals(g, next(rank, EndGeneration.class).generation());
    }
    assertEquals(g + 1, bootstrap(coordinator, ranks, channel), "the next generation forms at once, all ranks being alive");
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
      coordinator.tell(new BootstrapAck(g, r, null));
    }
    for (TestProbe<ToRank> rank : ranks) {
      assertEquals(g, next(rank, WorldReady.class).generation());
    }
    return g;
  }
}
