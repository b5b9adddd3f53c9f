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
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * Expert parallelism between ranks on one GPU: N = 2, 4 and 8 ranks of the nccl backend in this
 * JVM, joined through their peer windows, run whole steps whose rows really move between the
 * ranks' workspaces. Every dtype, both modes and every expert kernel at a small shape, and the
 * benchmark's shape (T = 4096 HT / 128 LL, H = 7168, K = 8, E = 256) for identity and scale, are
 * checked against the CPU reference: fp32 bit for bit, the rest within DeepEP's tolerances (and
 * reported exact or not). Identity steps also check the dispatch itself rank by rank (layout,
 * received rows byte for byte, local ids, weights, counts, sources) and, in HT, a cached dispatch
 * of new rows through the same layout.
 */
@Tag("gpu")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class PeerWindowsGpuTest {
  private static InProcessWorld world;
  private static long seq;

  @BeforeAll
  static void available() {
    NcclAvailability a = NcclBackend.availability();
    assumeTrue(a.available(), () -> "GPU suite skipped: " + a.reason());
  }

  @AfterAll
  static void close() {
    if (world != null) {
      world.close();
      world = null;
    }
  }

  record Shape(String name, int experts, int hidden, int topk, int llMax, int alignment, int htTokens, int llTokens) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final Shape SMALL = new Shape("small", 32, 256, 4, 64, 4, 160, 40);
  static final Shape FULL = new Shape("full", 256, 7168, 8, 128, 1, 4096, 128);

  /** {@code -Dep.gpu.peer-shapes=small} runs the small shape only (a quick first look on a new build). */
  static Stream<Arguments> cases() {
    boolean full = !System.getProperty("ep.gpu.peer-shapes", "small,full").equals("small");
    List<Arguments> out = new ArrayList<>();
    for (int n : new int[] {2, 4, 8}) {
      for (DType d : DType.values()) {
        for (StepMode m : StepMode.values()) {
          for (String k : ExpertKernelSpec.NAMES) {
            out.add(Arguments.of(n, SMALL, d, m, k));
          }
        }
      }
      for (DType d : !full ? new DType[0] : n == 8 ? DType.values() : new DType[] {DType.BF16}) {
        for (StepMode m : StepMode.values()) {
          for (String k : n == 8 ? List.of("identity", "scale") : List.of("identity")) {
            out.add(Arguments.of(n, FULL, d, m, k));
          }
        }
      }
      if (n == 8 && full) {
        out.add(Arguments.of(n, FULL, DType.BF16, StepMode.LL, "swiglu"));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "N={0} {1} {2} {3} {4}")
  @MethodSource("cases")
  void stepMatchesTheCpuReference(int n, Shape shape, DType dtype, StepMode mode, String kernel) throws Exception {
    InProcessWorld w = worldOf(n);
    EpConfig cfg = new EpConfig(n, shape.experts(), shape.hidden(), shape.topk(), shape.llMax(), shape.alignment(), dtype,
        shape.htTokens());
    w.join(cfg);
    int[] counts = new int[n];
    for (int r = 0; r < n; r++) {
      // Unequal counts per rank, so prefixes and offsets differ between ranks.
      counts[r] = mode == StepMode.LL ? shape.llTokens() - 3 * r : shape.htTokens() - 7 * r;
    }
    List<RankInput> in = Workloads.random(cfg, counts, 100L * n + 10L * dtype.ordinal() + mode.ordinal());
    ExpertKernelSpec spec = kernel.equals("swiglu") ? ExpertKernelSpec.swiglu(7, 64)
        : kernel.equals("scale") ? ExpertKernelSpec.scale() : ExpertKernelSpec.identity();
    List<StepOutcome> got = w.step(++seq, mode, spec, in);

    ReferenceEngine ref = new ReferenceEngine(cfg);
    List<HiddenStates> want = ref.runStep(mode, ExpertKernel.of(spec, cfg), xs(in), routings(in));
    for (int r = 0; r < n; r++) {
      HiddenStates g = got.get(r).combined();
      boolean exact = g.x().contentEquals(want.get(r).x());
      double d = GpuChecks.diff(g, want.get(r));
      GpuChecks.report(String.format("peer N=%d %s %s %s %s rank %d: exact=%s calc_diff=%.3g rows=%d", n, shape, dtype,
          mode, kernel, r, exact, d, got.get(r).receivedRows()));
      int rank = r;
      if (dtype == DType.FP32 && !kernel.equals("swiglu")) {
        assertTrue(exact, () -> "rank " + rank + ": fp32 must be bit-identical; first mismatch "
            + GpuChecks.firstMismatch(g.x(), want.get(rank).x()));
      } else {
        double tol = dtype == DType.FP8_E4M3 ? (mode == StepMode.HT ? 5e-4 : 9e-4) : (mode == StepMode.HT ? 5e-6 : 1e-5);
        assertTrue(d < tol, "rank " + r + ": calc_diff " + d + " >= " + tol);
      }
    }
    if (kernel.equals("identity")) {
      if (mode == StepMode.HT) {
        checkHtDispatch(w, ref, cfg, in);
      } else {
        checkLlDispatch(w, ref, cfg, in);
      }
    }
  }

  private static InProcessWorld worldOf(int n) {
    if (world != null && world.size() != n) {
      world.close();
      world = null;
    }
    if (world == null) {
      world = new InProcessWorld(n);
    }
    return world;
  }

  private static List<HiddenStates> xs(List<RankInput> in) {
    return in.stream().map(RankInput::x).toList();
  }

  private static List<io.epruntime.protocol.ep.Routing> routings(List<RankInput> in) {
    return in.stream().map(RankInput::routing).toList();
  }

  private static void checkHtDispatch(InProcessWorld w, ReferenceEngine ref, EpConfig cfg, List<RankInput> in) throws Exception {
    int n = cfg.worldSize();
    List<DispatchLayout> lay = ref.layout(routings(in));
    List<HtDispatchResult> want = ref.htDispatch(xs(in), routings(in));
    int local = cfg.localExperts();
    int k = cfg.topk();
    int rowBytes = cfg.hidden() * cfg.dtype().bytesPerElement();
    int scaleBytes = cfg.dtype() == DType.FP8_E4M3 ? cfg.hidden() / 128 * 4 : 0;
    for (int r = 0; r < n; r++) {
      NcclBackend b = w.ranks.get(r);
      DispatchLayout l = lay.get(r);
      HtDispatchResult h = want.get(r);
      int t = in.get(r).x().tokens();
      int rank = r;
      b.device().call(() -> {
        NcclWorld nw = b.currentWorld();
        var v = nw.view;
        assertArrayEquals(l.tokensPerRank(), GpuChecks.ints(GpuChecks.read(nw.workspace, v.tokensPerRank(), 4L * n), n),
            "rank " + rank + " tokens per rank");
        assertArrayEquals(l.tokensPerExpert(),
            GpuChecks.ints(GpuChecks.read(nw.workspace, v.tokensPerExpert(), 4L * cfg.experts()), cfg.experts()));
        int[] pos = GpuChecks.ints(GpuChecks.read(nw.workspace, v.tokenPos(), 4L * t * n), t * n);
        int[] next = new int[n];
        for (int i = 0; i < t; i++) {
          for (int d = 0; d < n; d++) {
            int expect = l.tokenInRank(i, d) ? next[d]++ : -1;
            assertEquals(expect, pos[i * n + d], "rank " + rank + " token_pos[" + i + "][" + d + "]");
          }
        }
        int[] rc = GpuChecks.ints(GpuChecks.read(nw.workspace, v.recvCounts(), 4L * n * (1 + local)), n * (1 + local));
        int rows = 0;
        for (int s = 0; s < n; s++) {
          rows += rc[s * (1 + local)];
        }
        assertEquals(h.recvRows(), rows, "rank " + rank + " received rows");
        assertEquals(h.recvX().x().data(), GpuChecks.read(nw.workspace, v.recvX(), (long) rows * rowBytes),
            "rank " + rank + " recv_x bytes");
        if (scaleBytes > 0) {
          assertEquals(h.recvX().scales().data(), GpuChecks.read(nw.workspace, v.recvScales(), (long) rows * scaleBytes),
              "rank " + rank + " recv scales");
        }
        int[] idx = GpuChecks.ints(GpuChecks.read(nw.workspace, v.recvTopkIdx(), 4L * rows * k), rows * k);
        ByteBuffer wb = GpuChecks.read(nw.workspace, v.recvTopkWeights(), 4L * rows * k);
        for (int i = 0; i < rows * k; i++) {
          assertEquals(h.recvTopkIdx()[i], idx[i], "rank " + rank + " recv_topk_idx[" + i + "]");
          assertEquals(h.recvTopkWeights()[i], wb.getFloat(4 * i), "rank " + rank + " recv_topk_weights[" + i + "]");
        }
        assertArrayEquals(h.recvTokensPerExpert(),
            GpuChecks.ints(GpuChecks.read(nw.workspace, v.recvExpertCounts(), 4L * local), local), "recv tokens per expert");
        int[] src = GpuChecks.ints(GpuChecks.read(nw.workspace, v.recvSrc(), 8L * rows), 2 * rows);
        for (int i = 0; i < rows; i++) {
          assertEquals(h.handle().recvSrcRank()[i], src[2 * i], "rank " + rank + " source rank of row " + i);
          assertEquals(h.handle().recvSrcToken()[i], src[2 * i + 1], "rank " + rank + " source token of row " + i);
        }
        return null;
      }).get(2, TimeUnit.MINUTES);
    }
    // Cached dispatch: new rows through every rank's handle at once (it ends in a barrier).
    List<RankInput> again = Workloads.random(cfg, in.stream().mapToInt(i -> i.x().tokens()).toArray(), 77);
    List<HiddenStates> wantCached = ref.htCachedDispatch(want.stream().map(HtDispatchResult::handle).toList(), xs(again));
    List<CompletableFuture<Void>> cached = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      NcclBackend b = w.ranks.get(r);
      HiddenStates x = again.get(r).x();
      cached.add(b.device().call(() -> {
        NcclWorld nw = b.currentWorld();
        upload(nw.workspace.at(nw.buffers.x()), x.x().data());
        if (scaleBytes > 0) {
          upload(nw.workspace.at(nw.buffers.xScales()), x.scales().data());
        }
        nw.group.htDispatchCached();
        JCudaDriver.cuCtxSynchronize();
        return null;
      }));
    }
    for (CompletableFuture<Void> c : cached) {
      c.get(2, TimeUnit.MINUTES);
    }
    for (int r = 0; r < n; r++) {
      NcclBackend b = w.ranks.get(r);
      int rows = want.get(r).recvRows();
      HiddenStates x = wantCached.get(r);
      int rank = r;
      b.device().call(() -> {
        NcclWorld nw = b.currentWorld();
        assertEquals(0, GpuChecks.read(nw.workspace, nw.buffers.errorWord(), 4).getInt(0), "rank " + rank + " error word after cached dispatch");
        assertEquals(x.x().data(), GpuChecks.read(nw.workspace, nw.view.recvX(), (long) rows * rowBytes), "rank " + rank + " cached recv_x");
        if (scaleBytes > 0) {
          assertEquals(x.scales().data(), GpuChecks.read(nw.workspace, nw.view.recvScales(), (long) rows * scaleBytes),
              "rank " + rank + " cached recv scales");
        }
        return null;
      }).get(2, TimeUnit.MINUTES);
    }
    GpuChecks.report("peer N=" + n + " ht dispatch golden " + cfg.dtype() + ": layout, rows, ids, weights, counts, sources equal"
        + " on every rank; cached dispatch rows equal");
  }

  private static void upload(jcuda.driver.CUdeviceptr dst, ByteBuffer data) {
    ByteBuffer d = data.duplicate();
    byte[] bytes = new byte[d.remaining()];
    d.get(bytes);
    JCudaDriver.cuMemcpyHtoD(dst, Pointer.to(bytes), bytes.length);
  }

  private static void checkLlDispatch(InProcessWorld w, ReferenceEngine ref, EpConfig cfg, List<RankInput> in) throws Exception {
    int n = cfg.worldSize();
    List<LlDispatchResult> want = ref.llDispatch(xs(in), routings(in));
    int local = cfg.localExperts();
    int m = cfg.llMaxTokensPerRank();
    int rowBytes = cfg.hidden() * cfg.dtype().bytesPerElement();
    for (int r = 0; r < n; r++) {
      NcclBackend b = w.ranks.get(r);
      LlDispatchResult l = want.get(r);
      int rank = r;
      b.device().call(() -> {
        NcclWorld nw = b.currentWorld();
        var v = nw.view;
        int[] counts = GpuChecks.ints(GpuChecks.read(nw.workspace, v.llRecvCounts(), 4L * n * local), n * local);
        int[] perExpert = new int[local];
        for (int s = 0; s < n; s++) {
          for (int e = 0; e < local; e++) {
            perExpert[e] += counts[s * local + e];
          }
        }
        assertArrayEquals(l.recvCount(), perExpert, "rank " + rank + " LL count per local expert");
        int slots = local * n * m;
        int[] src = GpuChecks.ints(GpuChecks.read(nw.workspace, v.llRecvSrc(), 4L * slots), slots);
        ByteBuffer x = GpuChecks.read(nw.workspace, v.llRecvX(), (long) slots * rowBytes);
        ByteBuffer wx = l.recvX().x().data();
        for (int e = 0; e < local; e++) {
          for (int s = 0; s < n; s++) {
            for (int i = 0; i < counts[s * local + e]; i++) {
              int slot = e * n * m + s * m + i;
              assertEquals(l.srcInfo()[slot], src[slot], "rank " + rank + " LL source of slot " + slot);
              assertEquals(wx.slice(slot * rowBytes, rowBytes), x.slice(slot * rowBytes, rowBytes), "rank " + rank + " LL row " + slot);
            }
          }
        }
        return null;
      }).get(2, TimeUnit.MINUTES);
    }
    GpuChecks.report("peer N=" + n + " ll dispatch golden " + cfg.dtype() + ": counts, sources, rows equal on every rank");
  }
}
