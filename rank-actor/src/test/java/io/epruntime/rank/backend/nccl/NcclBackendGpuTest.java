package io.epruntime.rank.backend.nccl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.epruntime.engine.DispatchLayout;
import io.epruntime.engine.ExpertKernel;
import io.epruntime.engine.HtDispatchResult;
import io.epruntime.engine.LlDispatchResult;
import io.epruntime.engine.RankInput;
import io.epruntime.engine.ReferenceEngine;
import io.epruntime.engine.Workloads;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.rank.backend.StepOutcome;
import io.epruntime.rank.backend.StepSpec;
import io.epruntime.rank.backend.WorldSpec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The golden/contract checks of the CPU reference, run against the nccl backend on one GPU (world
 * size 1): every dtype, both modes, every expert kernel, with the rank's rows moved through its own
 * peer window and sent through NCCL self send/recv. Each communicator comes from a unique id the backend made,
 * as the coordinator obtains it from rank 0. fp32 identity/scale results must be bit-identical to
 * the CPU backend; the rest within DeepEP's tolerances.
 */
@Tag("gpu")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NcclBackendGpuTest {
  private static final int EXPERTS = 16;
  private static final int HIDDEN = 256;
  private static final int TOPK = 4;
  private static final int LL_MAX = 64;
  private static NcclBackend direct;
  private static NcclBackend viaNccl;
  private static long generation;
  private static final String[] JOINED = new String[2];
  private static final long[] JOINED_GENERATION = new long[2];

  @BeforeAll
  static void open() {
    NcclAvailability a = NcclBackend.availability();
    assumeTrue(a.available(), () -> "GPU suite skipped: " + a.reason());
    GpuChecks.report("availability: " + a.reason());
    direct = NcclBackend.open(0, NcclSettings.defaults());
    viaNccl = NcclBackend.open(0, NcclSettings.defaults().withSelfViaNccl(true));
  }

  @AfterAll
  static void close() {
    if (direct != null) {
      direct.close();
    }
    if (viaNccl != null) {
      viaNccl.close();
    }
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (boolean via : new boolean[] {false, true}) {
      for (DType d : DType.values()) {
        for (StepMode m : StepMode.values()) {
          for (String k : ExpertKernelSpec.NAMES) {
            out.add(Arguments.of(via, d, m, k));
          }
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "selfViaNccl={0} {1} {2} {3}")
  @MethodSource("cases")
  void stepMatchesTheCpuReference(boolean via, DType dtype, StepMode mode, String kernel) throws Exception {
    NcclBackend b = via ? viaNccl : direct;
    EpConfig cfg = new EpConfig(1, EXPERTS, HIDDEN, TOPK, LL_MAX, 4, dtype, 256);
    long gen = join(b, via ? 1 : 0, cfg);
    int tokens = mode == StepMode.LL ? 48 : 200;
    RankInput in = Workloads.random(cfg, new int[] {tokens}, 1000 + dtype.ordinal() * 10 + mode.ordinal()).get(0);
    ExpertKernelSpec spec = kernel.equals("swiglu") ? ExpertKernelSpec.swiglu(7, 64)
        : kernel.equals("scale") ? ExpertKernelSpec.scale() : ExpertKernelSpec.identity();
    StepSpec step = new StepSpec(1, gen, mode, new int[] {tokens}, spec);
    StepOutcome got = b.runStep(step, in.x(), in.routing()).toCompletableFuture().get(2, TimeUnit.MINUTES);

    ReferenceEngine ref = new ReferenceEngine(cfg);
    HiddenStates want = ref.runStep(mode, ExpertKernel.of(spec, cfg), List.of(in.x()), List.of(in.routing())).get(0);
    boolean exact = got.combined().x().contentEquals(want.x());
    double d = GpuChecks.diff(got.combined(), want);
    GpuChecks.report(String.format("step selfViaNccl=%s %s %s %s: exact=%s calc_diff=%.3g rows=%d",
        via, dtype, mode, kernel, exact, d, got.receivedRows()));
    if (dtype == DType.FP32 && !kernel.equals("swiglu")) {
      assertTrue(exact, () -> "fp32 must be bit-identical; first mismatch " + GpuChecks.firstMismatch(got.combined().x(), want.x()));
    } else {
      double tol = dtype == DType.FP8_E4M3 ? (mode == StepMode.HT ? 5e-4 : 9e-4) : (mode == StepMode.HT ? 5e-6 : 1e-5);
      assertTrue(d < tol, "calc_diff " + d + " >= " + tol);
    }
    if (kernel.equals("identity")) {
      if (mode == StepMode.HT) {
        checkHtDispatch(b, ref, cfg, in);
      } else {
        checkLlDispatch(b, ref, cfg, in);
      }
    }
  }

  /**
   * LL at the largest capacity the config check allows (T*K = 12288 pairs): the NCCL path's dispatch
   * keeps every pair's expert in shared memory (48 KiB), past the default per-block limit, so its
   * launch must opt in; the peer path keeps them in a bitmask in device memory.
   */
  @org.junit.jupiter.api.Test
  void llAtTheLargestCapacityRunsOnBothPaths() throws Exception {
    EpConfig cfg = new EpConfig(1, 16, 256, 8, 1536, 1, DType.BF16, 1536);
    RankInput in = Workloads.random(cfg, new int[] {1536}, 9).get(0);
    ReferenceEngine ref = new ReferenceEngine(cfg);
    HiddenStates want = ref.runStep(StepMode.LL, ExpertKernel.of(ExpertKernelSpec.identity(), cfg), List.of(in.x()),
        List.of(in.routing())).get(0);
    for (boolean via : new boolean[] {false, true}) {
      try (NcclBackend b = NcclBackend.open(0, NcclSettings.defaults().withSelfViaNccl(via))) {
        GpuChecks.joinAlone(b, new WorldSpec(1, 0, cfg, b.newUniqueId(), List.of("gpu")));
        StepOutcome got = b.runStep(new StepSpec(1, 1, StepMode.LL, new int[] {1536}, ExpertKernelSpec.identity()), in.x(),
            in.routing()).toCompletableFuture().get(2, TimeUnit.MINUTES);
        double d = GpuChecks.diff(got.combined(), want);
        GpuChecks.report(String.format("LL T*K = 12288 selfViaNccl=%s: exact=%s calc_diff=%.3g", via,
            got.combined().x().contentEquals(want.x()), d));
        assertTrue(d < 1e-5, "calc_diff " + d);
      }
    }
  }

  /** One communicator per (backend, dtype): rank 0's backend makes the id, then joins with it. */
  private static long join(NcclBackend b, int slot, EpConfig cfg) throws Exception {
    String key = cfg.dtype().configName();
    if (key.equals(JOINED[slot])) {
      return JOINED_GENERATION[slot];
    }
    generation++;
    byte[] uniqueId = b.newUniqueId();
    assertEquals(128, uniqueId.length);
    GpuChecks.joinAlone(b, new WorldSpec(generation, 0, cfg, uniqueId, List.of("gpu")));
    JOINED[slot] = key;
    JOINED_GENERATION[slot] = generation;
    return generation;
  }

  private static void checkHtDispatch(NcclBackend b, ReferenceEngine ref, EpConfig cfg, RankInput in) throws Exception {
    DispatchLayout lay = ref.layout(List.of(in.routing())).get(0);
    HtDispatchResult want = ref.htDispatch(List.of(in.x()), List.of(in.routing())).get(0);
    int local = cfg.localExperts();
    int k = cfg.topk();
    b.device().call(() -> {
      NcclWorld w = b.currentWorld();
      var v = w.view;
      assertArrayEquals(lay.tokensPerRank(), GpuChecks.ints(GpuChecks.read(w.workspace, v.tokensPerRank(), 4), 1));
      assertArrayEquals(lay.tokensPerExpert(), GpuChecks.ints(GpuChecks.read(w.workspace, v.tokensPerExpert(), 4L * cfg.experts()), cfg.experts()));
      int t = in.x().tokens();
      int[] pos = GpuChecks.ints(GpuChecks.read(w.workspace, v.tokenPos(), 4L * t), t);
      for (int i = 0; i < t; i++) {
        assertEquals(lay.tokenInRank(i, 0), pos[i] >= 0, "token_in_rank[" + i + "]");
      }
      int rows = GpuChecks.ints(GpuChecks.read(w.workspace, v.recvCounts(), 4L * (1 + local)), 1 + local)[0];
      assertEquals(want.recvRows(), rows, "received rows");
      int rowBytes = cfg.hidden() * cfg.dtype().bytesPerElement();
      assertEquals(want.recvX().x().data(), GpuChecks.read(w.workspace, v.recvX(), (long) rows * rowBytes), "recv_x bytes");
      if (cfg.dtype() == DType.FP8_E4M3) {
        assertEquals(want.recvX().scales().data(),
            GpuChecks.read(w.workspace, v.recvScales(), (long) rows * cfg.hidden() / 128 * 4), "recv scales");
      }
      int[] idx = GpuChecks.ints(GpuChecks.read(w.workspace, v.recvTopkIdx(), 4L * rows * k), rows * k);
      ByteBuffer wb = GpuChecks.read(w.workspace, v.recvTopkWeights(), 4L * rows * k);
      for (int i = 0; i < rows * k; i++) {
        assertEquals(want.recvTopkIdx()[i], idx[i], "recv_topk_idx[" + i + "]");
        assertEquals(want.recvTopkWeights()[i], wb.getFloat(4 * i), "recv_topk_weights[" + i + "]");
      }
      assertArrayEquals(want.recvTokensPerExpert(),
          GpuChecks.ints(GpuChecks.read(w.workspace, v.recvExpertCounts(), 4L * local), local), "recv tokens per expert");
      int[] src = GpuChecks.ints(GpuChecks.read(w.workspace, v.recvSrc(), 8L * rows), 2 * rows);
      for (int i = 0; i < rows; i++) {
        assertEquals(want.handle().recvSrcRank()[i], src[2 * i], "source rank of row " + i);
        assertEquals(want.handle().recvSrcToken()[i], src[2 * i + 1], "source token of row " + i);
      }
      // Cached dispatch: new rows through the same handle, compared with the reference's cached dispatch.
      RankInput again = Workloads.random(cfg, new int[] {t}, 77).get(0);
      HiddenStates wantCached =
          ref.htCachedDispatch(List.of(want.handle()), List.of(again.x())).get(0);
      ByteBuffer newRows = again.x().x().data();
      byte[] bytes = new byte[newRows.remaining()];
      newRows.get(bytes);
      JCudaDriver.cuMemcpyHtoD(w.workspace.at(w.buffers.x()), Pointer.to(bytes), bytes.length);
      if (cfg.dtype() == DType.FP8_E4M3) {
        ByteBuffer sc = again.x().scales().data();
        byte[] sb = new byte[sc.remaining()];
        sc.get(sb);
        JCudaDriver.cuMemcpyHtoD(w.workspace.at(w.buffers.xScales()), Pointer.to(sb), sb.length);
      }
      // A nonblocking communicator may still be enqueuing the op's NCCL group: finish it as the
      // backend does (resume once NCCL is ready) before reading what it wrote.
      boolean queued = w.group.htDispatchCached();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!queued) {
        assertTrue(System.nanoTime() < deadline, "cached dispatch still waits for NCCL after 30 s");
        java.util.concurrent.locks.LockSupport.parkNanos(100_000); // polled like the backend's timer, not spun
        queued = w.group.resume();
      }
      JCudaDriver.cuCtxSynchronize();
      assertEquals(wantCached.x().data(), GpuChecks.read(w.workspace, v.recvX(), (long) rows * rowBytes), "cached recv_x");
      if (cfg.dtype() == DType.FP8_E4M3) {
        assertEquals(wantCached.scales().data(),
            GpuChecks.read(w.workspace, v.recvScales(), (long) rows * cfg.hidden() / 128 * 4), "cached recv scales");
      }
      return null;
    }).get(1, TimeUnit.MINUTES);
    GpuChecks.report("ht dispatch golden " + cfg.dtype() + ": layout, rows, ids, weights, counts, sources equal; cached dispatch rows equal");
  }

  private static void checkLlDispatch(NcclBackend b, ReferenceEngine ref, EpConfig cfg, RankInput in) throws Exception {
    LlDispatchResult want = ref.llDispatch(List.of(in.x()), List.of(in.routing())).get(0);
    int local = cfg.localExperts();
    int m = cfg.llMaxTokensPerRank();
    int rowBytes = cfg.hidden() * cfg.dtype().bytesPerElement();
    b.device().call(() -> {
      NcclWorld w = b.currentWorld();
      var v = w.view;
      int[] counts = GpuChecks.ints(GpuChecks.read(w.workspace, v.llRecvCounts(), 4L * local), local);
      assertArrayEquals(want.recvCount(), counts, "LL count per local expert");
      int[] src = GpuChecks.ints(GpuChecks.read(w.workspace, v.llRecvSrc(), 4L * local * m), local * m);
      ByteBuffer x = GpuChecks.read(w.workspace, v.llRecvX(), (long) local * m * rowBytes);
      ByteBuffer wx = want.recvX().x().data();
      for (int l = 0; l < local; l++) {
        for (int i = 0; i < counts[l]; i++) {
          int slot = l * m + i;
          assertEquals(want.srcInfo()[slot], src[slot], "LL source of slot " + slot);
          assertEquals(wx.slice(slot * rowBytes, rowBytes), x.slice(slot * rowBytes, rowBytes), "LL row " + slot);
        }
      }
      return null;
    }).get(1, TimeUnit.MINUTES);
    GpuChecks.report("ll dispatch golden " + cfg.dtype() + ": counts, sources, rows equal");
  }
}
