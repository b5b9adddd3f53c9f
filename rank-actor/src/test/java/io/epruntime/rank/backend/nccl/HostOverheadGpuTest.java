package io.epruntime.rank.backend.nccl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.epruntime.engine.RankInput;
import io.epruntime.engine.Workloads;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.rank.backend.StepOutcome;
import io.epruntime.rank.backend.StepSpec;
import io.epruntime.rank.backend.WorldSpec;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Measures (records, never asserts on time) the host side of a GPU step: the JVM's added time from
 * queuing a CUDA host function through JNI to the actor message its up-call sends, and the wall time
 * of a tiny whole step. Results go to the GPU report.
 */
@Tag("gpu")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HostOverheadGpuTest {
  private record Done(long queuedAt, CompletableFuture<Long> reply) {}

  @Test
  void completionPathAndTinyStep() throws Exception {
    NcclAvailability a = NcclBackend.availability();
    assumeTrue(a.available(), () -> "GPU suite skipped: " + a.reason());
    ActorSystem<Done> system = ActorSystem.create(Behaviors.receiveMessage(d -> {
      d.reply().complete(System.nanoTime() - d.queuedAt());
      return Behaviors.same();
    }), "host-overhead");
    try (NcclBackend b = NcclBackend.open(0, NcclSettings.defaults())) {
      EpConfig cfg = new EpConfig(1, 8, 256, 2, 16, 1, DType.BF16, 64);
      GpuChecks.joinAlone(b, new WorldSpec(1, 0, cfg, b.newUniqueId(), List.of("gpu")));
      ActorRef<Done> actor = system;
      int n = 2000;
      long[] hop = new long[n];
      for (int i = 0; i < n; i++) {
        CompletableFuture<Long> reply = new CompletableFuture<>();
        b.device().call(() -> {
          long t0 = System.nanoTime();
          b.currentWorld().group.onStreamDone(() -> actor.tell(new Done(t0, reply)));
          return null;
        }).get(1, TimeUnit.MINUTES);
        hop[i] = reply.get(1, TimeUnit.MINUTES);
      }
      RankInput in = Workloads.random(cfg, new int[] {8}, 5).get(0);
      int steps = 500;
      long[] wall = new long[steps];
      long[] gpu = new long[steps];
      for (int i = 0; i < steps; i++) {
        StepSpec s = new StepSpec(i, 1, StepMode.LL, new int[] {8}, ExpertKernelSpec.identity());
        long t0 = System.nanoTime();
        StepOutcome o = b.runStep(s, in.x(), in.routing()).toCompletableFuture().get(1, TimeUnit.MINUTES);
        wall[i] = System.nanoTime() - t0;
        gpu[i] = o.dispatchNanos() + o.combineNanos();
        assertEquals(8, o.combined().tokens());
      }
      GpuChecks.report(String.format("host completion path p50 %.1f us p90 %.1f us (JNI cuLaunchHostFunc -> driver-thread "
          + "up-call -> Pekko actor message, %d samples, idle stream)", p(hop, 50) / 1e3, p(hop, 90) / 1e3, n));
      GpuChecks.report(String.format("tiny LL step (T=8, H=256, bf16) wall p50 %.1f us; its dispatch+combine GPU time p50 %.1f us "
          + "(%d steps)", p(wall, 50) / 1e3, p(gpu, 50) / 1e3, steps));
    } finally {
      system.terminate();
    }
  }

  private static double p(long[] v, int pct) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, s.length * pct / 100)];
  }
}
