package io.epruntime.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.cluster.BootstrapAck;
import io.epruntime.protocol.cluster.RunStep;
import io.epruntime.protocol.cluster.StepCompleted;
import io.epruntime.protocol.cluster.StepFailedOnRank;
import io.epruntime.protocol.cluster.ToCoordinator;
import io.epruntime.protocol.cluster.ToRank;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.ep.StepStatus;
import io.epruntime.protocol.ep.StepTrace;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.wire.BootstrapRecord;
import io.epruntime.protocol.wire.StepOutputFrame;
import io.epruntime.rank.backend.StepOutcome;
import io.epruntime.rank.backend.StepSpec;
import java.time.Duration;
import java.util.Arrays;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Input a rank refuses fails only its step: the rank still takes its part in the collective, with
 * no tokens routed anywhere (so its peers finish the step), and answers REJECTED to the client and
 * the coordinator; the next step runs as usual.
 */
class RankActorRefusalTest {
  private static final ActorTestKit KIT = ActorTestKit.create();
  private static final EpConfig WORLD = new EpConfig(2, 4, 64, 2, 8, 1, DType.BF16);

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  /** Records what each step ran with and completes it at once. */
  static final class RecordingBackend extends FakeBackend {
    final BlockingQueue<Routing> ran = new LinkedBlockingQueue<>();
    final BlockingQueue<HiddenStates> ranX = new LinkedBlockingQueue<>();

    @Override
    public CompletionStage<StepOutcome> runStep(StepSpec step, HiddenStates x, Routing routing) {
      ran.add(routing);
      ranX.add(x);
      return CompletableFuture.completedFuture(new StepOutcome(x, x.tokens(), 0, 0, 0, 0));
    }
  }

  /** Records the frames to the client and the reports to the coordinator. */
  static final class RecordingIo implements RankIo {
    final BlockingQueue<StepOutputFrame> outputs = new LinkedBlockingQueue<>();
    final BlockingQueue<Object> reports = new LinkedBlockingQueue<>();

    @Override
    public CompletionStage<Void> sendOutput(String endpoint, StepOutputFrame frame) {
      outputs.add(frame);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void report(String endpoint, StepCompleted completed) {
      reports.add(completed);
    }

    @Override
    public void report(String endpoint, StepFailedOnRank failed) {
      reports.add(failed);
    }
  }

  private static RunStep step(long index, long requestId) {
    return new RunStep(100 + index, 3, index, StepMode.HT, new int[] {2, 2}, ExpertKernelSpec.identity(), 7, requestId,
        "127.0.0.1:9", StepTrace.NONE);
  }

  private static StepInput input(long requestId, long[] topkIdx) {
    return new StepInput(7, requestId, "127.0.0.1:8", HiddenStates.zeros(DType.BF16, 2, 64),
        new Routing(2, 2, topkIdx, new float[] {1f, 1f, 1f, 1f}));
  }

  private static <T> T next(BlockingQueue<T> q) throws InterruptedException {
    T t = q.poll(10, TimeUnit.SECONDS);
    assertTrue(t != null, "nothing arrived within 10 s");
    return t;
  }

  @Test
  void refusedInputRunsAsAnEmptyPartAndFailsOnlyItsStep() throws Exception {
    RecordingBackend backend = new RecordingBackend();
    RecordingIo io = new RecordingIo();
    TestProbe<ToCoordinator> coordinator = KIT.createTestProbe();
    RankSettings settings = new RankSettings(1, WORLD, "127.0.0.1:1", Duration.ofSeconds(5), 4, Duration.ofMillis(300));
    ActorRef<ToRank> rank = KIT.spawn(RankActor.create(settings, backend, io, coordinator.ref(), new RankStatusBoard(),
        new NodeMetrics()));
    rank.tell(new RankActor.BootstrapArrived(3, 2, 1, BootstrapRecord.Phase.JOIN, new byte[128], List.of("a:1", "b:2"), List.of()));
    coordinator.fishForMessage(Duration.ofSeconds(10), m -> m instanceof BootstrapAck ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore());

    // Expert 999 of a world of 4: the client's checks were skipped (a hostile or broken client).
    rank.tell(step(0, 1));
    rank.tell(new RankActor.InputArrived(input(1, new long[] {0, 999, 1, 2})));
    Routing standIn = next(backend.ran);
    assertEquals(2, standIn.tokens(), "the stand-in has the step's token count for this rank");
    assertTrue(Arrays.stream(standIn.topkIdx()).allMatch(e -> e == -1), "no token of the stand-in goes anywhere");
    assertEquals(2, next(backend.ranX).tokens());
    StepOutputFrame refused = next(io.outputs);
    assertEquals(StepStatus.REJECTED, refused.status());
    assertTrue(refused.error().contains("topk_idx[0][1] = 999"), refused.error());
    StepFailedOnRank report = (StepFailedOnRank) next(io.reports);
    assertEquals(StepStatus.REJECTED, report.status());
    assertEquals(100, report.seq());

    // The next step, with good input, runs as sent and completes.
    rank.tell(step(1, 2));
    rank.tell(new RankActor.InputArrived(input(2, new long[] {0, 1, 2, 3})));
    assertEquals(List.of(0L, 1L, 2L, 3L), Arrays.stream(next(backend.ran).topkIdx()).boxed().toList());
    assertEquals(StepStatus.OK, next(io.outputs).status());
    assertTrue(next(io.reports) instanceof StepCompleted);

    // A client that stalls before sending its tensors: after ep.input-deadline (300 ms here) the
    // rank takes an empty part and the step fails REJECTED; the steps after it go on.
    long sentAt = System.nanoTime();
    rank.tell(step(2, 3));
    Routing late = next(backend.ran);
    assertTrue(System.nanoTime() - sentAt >= Duration.ofMillis(300).toNanos(), "the rank waited for the deadline");
    assertTrue(Arrays.stream(late.topkIdx()).allMatch(e -> e == -1));
    next(backend.ranX);
    StepFailedOnRank lateReport = (StepFailedOnRank) next(io.reports);
    assertEquals(StepStatus.REJECTED, lateReport.status());
    assertTrue(lateReport.error().contains("ep.input-deadline"), lateReport.error());
    rank.tell(new RankActor.InputArrived(input(4, new long[] {3, 2, 1, 0})));
    rank.tell(step(3, 4));
    assertEquals(List.of(3L, 2L, 1L, 0L), Arrays.stream(next(backend.ran).topkIdx()).boxed().toList());
    assertEquals(StepStatus.OK, next(io.outputs).status(), "no frame went to the stalled client; this one is step 3's");
  }
}
