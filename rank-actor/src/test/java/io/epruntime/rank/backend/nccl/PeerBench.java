package io.epruntime.rank.backend.nccl;

import io.epruntime.engine.ExpertKernel;
import io.epruntime.engine.RankInput;
import io.epruntime.engine.ReferenceEngine;
import io.epruntime.engine.Workloads;
import io.epruntime.nativeep.EpGroup;
import io.epruntime.nativeep.ExpertKind;
import io.epruntime.nativeep.NativeEpLibrary;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.rank.backend.StepOutcome;
import io.epruntime.rank.gpu.GpuDevice;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import jcuda.driver.CUevent;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * The peer path's benchmark: N ranks of the nccl backend in this JVM on one GPU (joined through
 * their peer windows, as in a cluster) run DeepEP's shapes; every op is timed over all N ranks at
 * once with CUDA events, the L2 flushed before each, and compared with a device-to-device copy of
 * the same traffic in the same run. Each shape's outputs, before and after the timed loops, are
 * checked against the CPU reference. Prints one JSON object (and writes it to --out).
 *
 * <pre>
 *   java ... PeerBench --ranks 2,4,8 --dtypes bf16,fp8-e4m3 --iters 20 --warmup 3 --out peer.json
 * </pre>
 *
 * <p>Traffic is counted from each op's access pattern, each array once (what the kernels must
 * read and write at least): dispatch = layout (routing read, positions written) + each token's
 * row read once + every received row written with its metadata; combine = every reduced row read
 * once + each token's output written. Counted the same way, a copy moves 2 bytes per byte copied.
 */
public final class PeerBench {
  private static final long FLUSH_BYTES = 256L << 20;
  private static final long DELAY_NS = 2_000_000;

  private PeerBench() {}

  record Op(String name, double us, double trafficBytes, double copyUs) {
    double ratio() {
      return copyUs / us;
    }
  }

  public static void main(String[] args) throws Exception {
    int[] ranks = {2, 4, 8};
    List<DType> dtypes = List.of(DType.BF16, DType.FP8_E4M3);
    int iters = 20;
    int warmup = 3;
    int htTokens = 4096;
    int llTokens = 128;
    int llCapacity = -1; // -1: the LL token count (the benchmark's shape)
    String out = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--ranks" -> ranks = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--dtypes" -> dtypes = Arrays.stream(args[i + 1].split(",")).map(v -> DType.parse("--dtypes", v)).toList();
        case "--iters" -> iters = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--ht-tokens" -> htTokens = Integer.parseInt(args[i + 1]);
        case "--ll-tokens" -> llTokens = Integer.parseInt(args[i + 1]);
        // LL buffers sized for more tokens than run: the [L, N*M, H] receive layout's footprint
        // grows with M while the bytes moved do not, which tells address footprint from fixed cost.
        case "--ll-capacity" -> llCapacity = Integer.parseInt(args[i + 1]);
        case "--out" -> out = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    StringBuilder json = new StringBuilder("{\n  \"runs\": [\n");
    boolean allVerified = true;
    boolean first = true;
    for (int n : ranks) {
      try (InProcessWorld w = new InProcessWorld(n)) {
        for (DType d : dtypes) {
          EpConfig cfg = new EpConfig(n, 256, 7168, 8, llCapacity > 0 ? llCapacity : llTokens, 1, d, htTokens);
          w.join(cfg);
          Run run = new Run(w, cfg, htTokens, llTokens, iters, warmup);
          String line = run.measure();
          allVerified &= run.verified;
          json.append(first ? "" : ",\n").append(line);
          first = false;
          System.out.println("[peer-bench] " + line);
          if (out != null) {
            // Written after every run, so a run cut short by its time limit still leaves what it measured.
            Files.writeString(Path.of(out), json + "\n  ],\n  \"verified\": " + allVerified + ",\n  \"complete\": false\n}\n");
          }
        }
      }
    }
    json.append("\n  ],\n  \"verified\": ").append(allVerified).append(",\n  \"complete\": true,\n  \"gpu\": \"").append(gpuName())
        .append("\"\n}\n");
    if (out != null) {
      Files.writeString(Path.of(out), json.toString());
    }
    System.out.println(json);
    System.exit(allVerified ? 0 : 5);
  }

  private static String gpuName() throws Exception {
    GpuDevice g = GpuDevice.open(0);
    try {
      return g.name();
    } finally {
      g.close();
    }
  }

  /** One (N, dtype): HT then LL, each verified, timed, verified again. */
  static final class Run {
    final InProcessWorld w;
    final EpConfig cfg;
    final int htTokens;
    final int llTokens;
    final int iters;
    final int warmup;
    boolean verified = true;
    final List<String> notes = new ArrayList<>();
    long seq = 1;

    Run(InProcessWorld w, EpConfig cfg, int htTokens, int llTokens, int iters, int warmup) {
      this.w = w;
      this.cfg = cfg;
      this.htTokens = htTokens;
      this.llTokens = llTokens;
      this.iters = iters;
      this.warmup = warmup;
    }

    String measure() throws Exception {
      int n = cfg.worldSize();
      List<Op> ops = new ArrayList<>();
      ops.addAll(mode(StepMode.HT, htTokens));
      ops.addAll(mode(StepMode.LL, llTokens));
      StringBuilder b = new StringBuilder();
      b.append(String.format(Locale.ROOT, "    {\"world_size\": %d, \"dtype\": \"%s\", \"ll_tokens\": %d, \"ll_capacity\": %d, "
          + "\"verified\": %s, \"ops\": {", n, cfg.dtype().configName(), llTokens, cfg.llMaxTokensPerRank(), verified));
      for (int i = 0; i < ops.size(); i++) {
        Op o = ops.get(i);
        b.append(String.format(Locale.ROOT, "%s\"%s\": {\"us\": %.2f, \"traffic_bytes\": %.0f, \"copy_us\": %.2f, "
            + "\"traffic_ratio_to_copy\": %.3f, \"traffic_gbps\": %.1f}", i == 0 ? "" : ", ", o.name, o.us, o.trafficBytes,
            o.copyUs, o.ratio(), o.trafficBytes / o.us / 1e3));
      }
      b.append("}, \"notes\": [");
      for (int i = 0; i < notes.size(); i++) {
        b.append(i == 0 ? "" : ", ").append('"').append(notes.get(i).replace("\"", "'")).append('"');
      }
      return b.append("]}").toString();
    }

    private List<Op> mode(StepMode mode, int tokens) throws Exception {
      int n = cfg.worldSize();
      int[] counts = new int[n];
      Arrays.fill(counts, tokens);
      // No masked slots: DeepEP's benchmarks route every token to K experts.
      List<RankInput> in = Workloads.random(cfg, counts, 4242 + n, 0.0);
      List<StepOutcome> got = w.step(seq++, mode, ExpertKernelSpec.identity(), in);
      ReferenceEngine ref = new ReferenceEngine(cfg);
      List<HiddenStates> want = ref.runStep(mode, ExpertKernel.of(ExpertKernelSpec.identity(), cfg),
          in.stream().map(RankInput::x).toList(), in.stream().map(RankInput::routing).toList());
      check(mode + " step", got.stream().map(StepOutcome::combined).toList(), want);
      long rows = got.stream().mapToLong(StepOutcome::receivedRows).sum();
      List<Op> ops = time(mode, tokens, rows);
      check(mode + " after the timed loops", readCombined(tokens), want);
      return ops;
    }

    private void check(String what, List<HiddenStates> got, List<HiddenStates> want) {
      for (int r = 0; r < got.size(); r++) {
        if (!got.get(r).x().contentEquals(want.get(r).x())) {
          verified = false;
          notes.add(what + ": rank " + r + " differs from the CPU reference, calc_diff "
              + GpuChecks.diff(got.get(r), want.get(r)));
        }
      }
      notes.add(what + ": " + (verified ? "every rank's output equals the CPU reference bit for bit" : "MISMATCH"));
    }

    private List<HiddenStates> readCombined(int tokens) throws Exception {
      List<HiddenStates> out = new ArrayList<>();
      DType c = cfg.dtype().combineDType();
      for (NcclBackend b : w.ranks) {
        out.add(b.device().call(() -> {
          NcclWorld nw = b.currentWorld();
          ByteBuffer bytes = GpuChecks.read(nw.workspace, nw.buffers.combined(), (long) tokens * cfg.hidden() * c.bytesPerElement());
          io.epruntime.protocol.tensor.Tensor t = io.epruntime.protocol.tensor.Tensor.allocate(c, tokens, cfg.hidden());
          t.data().put(0, bytes, 0, bytes.remaining());
          return HiddenStates.of(t);
        }).get(2, TimeUnit.MINUTES));
      }
      return out;
    }

    /** Times dispatch and combine over all ranks at once, and copies of the same traffic; rank 0's GPU thread. */
    private List<Op> time(StepMode mode, int tokens, long rows) throws Exception {
      NcclBackend lead = w.ranks.get(0);
      return lead.device().call(() -> {
        GpuDevice gpu = lead.device();
        GpuDevice.Stream s0 = gpu.newStream();
        GpuDevice.DeviceMemory flush = gpu.alloc(FLUSH_BYTES);
        int n = w.size();
        EpGroup[] groups = new EpGroup[n];
        CUstream[] streams = new CUstream[n];
        for (int r = 0; r < n; r++) {
          groups[r] = w.ranks.get(r).currentWorld().group;
          streams[r] = w.ranks.get(r).stepStream().stream();
        }
        int[] counts = new int[n];
        Arrays.fill(counts, tokens);
        CUevent start = gpu.newEvent();
        CUevent stop = gpu.newEvent();
        CUevent[] done = new CUevent[n];
        for (int r = 0; r < n; r++) {
          done[r] = gpu.newEvent();
        }
        boolean ll = mode == StepMode.LL;
        IntConsumer dispatch = r -> {
          if (ll) {
            groups[r].llDispatch(tokens);
          } else {
            groups[r].layout(tokens);
            groups[r].htDispatch(tokens, counts);
          }
        };
        IntConsumer experts = r -> {
          if (ll) {
            groups[r].llExperts(ExpertKind.IDENTITY);
          } else {
            groups[r].htExperts(ExpertKind.IDENTITY);
          }
        };
        IntConsumer combine = r -> {
          if (ll) {
            groups[r].llCombine();
          } else {
            groups[r].htCombine();
          }
        };
        double[] dispatchMs = new double[iters];
        double[] combineMs = new double[iters];
        for (int i = 0; i < warmup + iters; i++) {
          float d = region(gpu, s0, flush, i, start, stop, streams, done, dispatch);
          region(gpu, s0, null, 0, null, null, streams, done, experts);
          float c = region(gpu, s0, flush, i, start, stop, streams, done, combine);
          if (i >= warmup) {
            dispatchMs[i - warmup] = d;
            combineMs[i - warmup] = c;
          }
        }
        double[] traffic = traffic(mode, tokens, rows);
        long copyBytes = (long) Math.max(traffic[0], traffic[1]) / 2;
        GpuDevice.DeviceMemory src = gpu.alloc(copyBytes + 256);
        GpuDevice.DeviceMemory dst = gpu.alloc(copyBytes + 256);
        JCudaDriver.cuMemsetD8Async(src.pointer(), (byte) 1, copyBytes, s0.stream());
        double[] copyMs = new double[2];
        for (int op = 0; op < 2; op++) {
          long bytes = ((long) traffic[op] / 2) & ~15L;
          double[] ms = new double[iters];
          for (int i = 0; i < warmup + iters; i++) {
            float t = copy(gpu, s0, flush, i, start, stop, src, dst, bytes);
            if (i >= warmup) {
              ms[i - warmup] = t;
            }
          }
          copyMs[op] = median(ms);
        }
        gpu.free(src);
        gpu.free(dst);
        gpu.free(flush);
        String prefix = ll ? "ll_" : "ht_";
        return List.of(new Op(prefix + "dispatch", 1000 * median(dispatchMs), traffic[0], 1000 * copyMs[0]),
            new Op(prefix + "combine", 1000 * median(combineMs), traffic[1], 1000 * copyMs[1]));
      }).get(30, TimeUnit.MINUTES);
    }

    /**
     * Queues {@code op} on every rank's stream and joins them back into {@code s0}. With
     * {@code start} the L2 is flushed and the GPU held for {@link #DELAY_NS} first (so the host's
     * launches are all queued before the start event), the ranks wait for the start event, and the
     * milliseconds between start and stop are returned; without, the op just follows what each
     * rank's stream holds (0 is returned).
     */
    private static float region(GpuDevice gpu, GpuDevice.Stream s0, GpuDevice.DeviceMemory flush, int i, CUevent start,
        CUevent stop, CUstream[] streams, CUevent[] done, IntConsumer op) {
      if (start != null) {
        JCudaDriver.cuMemsetD8Async(flush.pointer(), (byte) (i & 0xff), FLUSH_BYTES, s0.stream());
        NativeEpLibrary.streamDelay(s0.handle(), DELAY_NS);
        JCudaDriver.cuEventRecord(start, s0.stream());
      }
      for (int r = 0; r < streams.length; r++) {
        if (start != null) {
          JCudaDriver.cuStreamWaitEvent(streams[r], start, 0);
        }
        op.accept(r);
        JCudaDriver.cuEventRecord(done[r], streams[r]);
        JCudaDriver.cuStreamWaitEvent(s0.stream(), done[r], 0);
      }
      if (start == null) {
        return 0;
      }
      JCudaDriver.cuEventRecord(stop, s0.stream());
      JCudaDriver.cuEventSynchronize(stop);
      return gpu.elapsedMs(start, stop);
    }

    private static float copy(GpuDevice gpu, GpuDevice.Stream s0, GpuDevice.DeviceMemory flush, int i, CUevent start,
        CUevent stop, GpuDevice.DeviceMemory src, GpuDevice.DeviceMemory dst, long bytes) {
      JCudaDriver.cuMemsetD8Async(flush.pointer(), (byte) (i & 0xff), FLUSH_BYTES, s0.stream());
      NativeEpLibrary.streamDelay(s0.handle(), DELAY_NS);
      JCudaDriver.cuEventRecord(start, s0.stream());
      JCudaDriver.cuMemcpyDtoDAsync(dst.pointer(), src.pointer(), bytes, s0.stream());
      JCudaDriver.cuEventRecord(stop, s0.stream());
      JCudaDriver.cuEventSynchronize(stop);
      return gpu.elapsedMs(start, stop);
    }

    /** {dispatch, combine} bytes read plus written by all ranks, from the ops' access patterns. */
    private double[] traffic(StepMode mode, int tokens, long rows) {
      int n = cfg.worldSize();
      int k = cfg.topk();
      double rb = (double) cfg.hidden() * cfg.dtype().bytesPerElement();
      double sb = cfg.dtype() == DType.FP8_E4M3 ? cfg.hidden() / 128.0 * 4 : 0;
      double cb = (double) cfg.hidden() * cfg.dtype().combineDType().bytesPerElement();
      double t = (double) tokens * n;  // tokens of all ranks
      if (mode == StepMode.HT) {
        double layout = t * k * 8 + t * n * 4;                          // routing read, positions written
        double send = t * (rb + sb + k * 12 + n * 4) + rows * (rb + sb + k * 8 + 8); // rows read once, written per destination
        double combine = rows * cb + t * n * 4 + t * cb;                 // reduced rows read once, outputs written
        return new double[] {layout + send, combine};
      }
      double route = t * k * 8 + t * k * 4;                              // routing read, slots written
      double send = t * (rb + sb + k * 12) + rows * (rb + sb + 4);       // rows read once, written per pair
      double combine = rows * cb + t * k * 16 + t * cb;                  // pair outputs read, routing/slots read, outputs written
      return new double[] {route + send, combine};
    }
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
