package io.epruntime.bench.cluster;

import com.typesafe.config.ConfigFactory;
import io.epruntime.engine.RankInput;
import io.epruntime.engine.Workloads;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.rank.backend.StepOutcome;
import io.epruntime.rank.backend.StepSpec;
import io.epruntime.rank.backend.WorldSpec;
import io.epruntime.rank.backend.cpu.CpuBackend;
import io.epruntime.transport.AeronNode;
import io.epruntime.transport.TransportSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The cpu backend's data plane alone: {@code --ranks} AeronNodes and CpuBackends in this process
 * (UDP over loopback, as between node processes), every rank started on the same step at once, no
 * actors and no client. Prints per token count the step time (last rank done) and the mean time to
 * the end of dispatch and of combine. Separates the mesh exchange from the control path when a
 * cluster step is slow.
 *
 * <p>{@code java [-Dep.transport.<key>=<value>] -cp <bench class path> io.epruntime.bench.cluster.CpuMeshLatency
 *   --tokens 1,8,128 --steps 2000}
 */
public final class CpuMeshLatency {
  private CpuMeshLatency() {}

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(arg(args, "--ranks", "4"));
    int steps = Integer.parseInt(arg(args, "--steps", "2000"));
    int[] tokens = Arrays.stream(arg(args, "--tokens", "1,8,128").split(",")).mapToInt(Integer::parseInt).toArray();
    EpConfig world = new EpConfig(n, 8 * n, 1024, 4, 128, 1, DType.BF16);
    List<AeronNode> nodes = new ArrayList<>();
    List<CpuBackend> backends = new ArrayList<>();
    try {
      for (int r = 0; r < n; r++) {
        // -Dep.transport.<key>=<value> (e.g. idle-max-park=20us) reaches the nodes through ConfigFactory.load().
        nodes.add(AeronNode.start(TransportSettings.fromConfig(ConfigFactory.load())));
        backends.add(new CpuBackend(nodes.get(r)));
      }
      List<String> endpoints = nodes.stream().map(AeronNode::endpoint).toList();
      byte[] uid = backends.get(0).newUniqueId();
      for (int r = 0; r < n; r++) {
        backends.get(r).joinWorld(new WorldSpec(1, r, world, uid, endpoints)).toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      List<AeronNode.AwakeHold> holds = nodes.stream().map(AeronNode::holdAwake).toList();
      long seq = 0;
      for (int t : tokens) {
        int[] perRank = new int[n];
        Arrays.fill(perRank, t);
        List<RankInput> in = Workloads.random(world, perRank, 42 + t);
        long[] lat = new long[steps];
        double dispatchSum = 0;
        double combineSum = 0;
        for (int i = -steps / 5; i < steps; i++) {
          StepSpec spec = new StepSpec(++seq, 1, StepMode.LL, perRank, ExpertKernelSpec.scale());
          long start = System.nanoTime();
          List<CompletableFuture<StepOutcome>> running = new ArrayList<>();
          for (int r = 0; r < n; r++) {
            running.add(backends.get(r).runStep(spec, in.get(r).x(), in.get(r).routing()).toCompletableFuture());
          }
          for (CompletableFuture<StepOutcome> f : running) {
            StepOutcome o = f.get(30, TimeUnit.SECONDS);
            if (i >= 0) {
              dispatchSum += o.dispatchNanos();
              combineSum += o.combineNanos();
            }
          }
          if (i >= 0) {
            lat[i] = System.nanoTime() - start;
          }
        }
        Arrays.sort(lat);
        System.out.printf("T=%d ranks=%d steps=%d p50_us=%.1f p99_us=%.1f dispatch_mean_us=%.1f combine_mean_us=%.1f%n", t, n, steps,
            lat[steps / 2] / 1e3, lat[(int) (steps * 0.99)] / 1e3, dispatchSum / steps / n / 1e3, combineSum / steps / n / 1e3);
      }
      holds.forEach(AeronNode.AwakeHold::close);
    } finally {
      backends.forEach(CpuBackend::close);
      nodes.forEach(AeronNode::close);
    }
  }

  private static String arg(String[] args, String name, String def) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return def;
  }
}
