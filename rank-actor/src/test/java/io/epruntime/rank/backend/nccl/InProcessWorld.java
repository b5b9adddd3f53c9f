package io.epruntime.rank.backend.nccl;

import io.epruntime.engine.RankInput;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.rank.backend.StepOutcome;
import io.epruntime.rank.backend.StepSpec;
import io.epruntime.rank.backend.WorldSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * N ranks of the nccl backend in one JVM on one GPU, joined the way a cluster joins them: phase
 * one gives each rank's peer window, phase two hands every rank the whole table. Each rank keeps
 * its own GPU thread and stream, so their kernels run side by side and wait for each other in the
 * barriers, as separate processes would.
 */
final class InProcessWorld implements AutoCloseable {
  final List<NcclBackend> ranks = new ArrayList<>();
  private long generation;

  InProcessWorld(int n) {
    NcclSettings s = NcclSettings.defaults().withPeerTimeout(Duration.ofSeconds(10));
    for (int r = 0; r < n; r++) {
      ranks.add(NcclBackend.open(r, s));
    }
  }

  int size() {
    return ranks.size();
  }

  /** Joins a new generation of {@code cfg} (its world size must be this world's); returns it. */
  long join(EpConfig cfg) throws Exception {
    generation++;
    byte[] uid = ranks.get(0).newUniqueId();
    List<CompletableFuture<byte[]>> joins = new ArrayList<>();
    for (int r = 0; r < ranks.size(); r++) {
      joins.add(ranks.get(r).joinWorld(new WorldSpec(generation, r, cfg, uid, List.of())).toCompletableFuture());
    }
    List<byte[]> windows = new ArrayList<>();
    for (CompletableFuture<byte[]> j : joins) {
      windows.add(j.get(2, TimeUnit.MINUTES));
    }
    List<CompletableFuture<Void>> connects = new ArrayList<>();
    for (NcclBackend b : ranks) {
      connects.add(b.connectPeers(generation, windows).toCompletableFuture());
    }
    for (CompletableFuture<Void> c : connects) {
      c.get(2, TimeUnit.MINUTES);
    }
    return generation;
  }

  /** One whole step on every rank at once; each rank's outcome, by rank. */
  List<StepOutcome> step(long seq, StepMode mode, ExpertKernelSpec kernel, List<RankInput> in) throws Exception {
    int[] counts = new int[in.size()];
    for (int r = 0; r < counts.length; r++) {
      counts[r] = in.get(r).x().tokens();
    }
    List<CompletableFuture<StepOutcome>> futures = new ArrayList<>();
    for (int r = 0; r < ranks.size(); r++) {
      StepSpec spec = new StepSpec(seq, generation, mode, counts, kernel);
      futures.add(ranks.get(r).runStep(spec, in.get(r).x(), in.get(r).routing()).toCompletableFuture());
    }
    List<StepOutcome> out = new ArrayList<>();
    for (CompletableFuture<StepOutcome> f : futures) {
      out.add(f.get(5, TimeUnit.MINUTES));
    }
    return out;
  }

  @Override
  public void close() {
    for (NcclBackend b : ranks) {
      b.close();
    }
  }
}
