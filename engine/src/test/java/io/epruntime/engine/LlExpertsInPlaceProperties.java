package io.epruntime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link RankEngine#llExpertsInPlace} (what the cluster's cpu backend runs) against the padded
 * DeepEP-layout path ({@code llDispatchReceive}, {@code llExperts}, {@code llCombineSend}): the
 * combine payloads must be identical byte for byte, for every dtype and kernel.
 */
class LlExpertsInPlaceProperties {

  @Property(tries = 100)
  void inPlacePassEqualsThePaddedPath(
      @ForAll @IntRange(min = 1, max = 8) int n,
      @ForAll @IntRange(min = 1, max = 8) int expertsPerRank,
      @ForAll @IntRange(min = 1, max = 8) int topk,
      @ForAll @IntRange(min = 1, max = 64) int m,
      @ForAll @IntRange(min = 1, max = 160) int hRaw,
      @ForAll DType dtype,
      @ForAll @IntRange(min = 0, max = 2) int kernelChoice,
      @ForAll long seed) {
    int h = dtype == DType.FP8_E4M3 ? 128 : hRaw;
    int e = n * expertsPerRank;
    EpConfig c = new EpConfig(n, e, h, Math.min(topk, e), m, 1, dtype);
    ExpertKernelSpec spec = switch (kernelChoice) {
      case 0 -> ExpertKernelSpec.identity();
      case 1 -> ExpertKernelSpec.scale();
      default -> ExpertKernelSpec.swiglu(seed, 32);
    };
    ExpertKernel kernel = ExpertKernel.of(spec, c);
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] tokens = new int[n];
    for (int r = 0; r < n; r++) {
      tokens[r] = rnd.nextInt(m + 1);
    }
    List<RankInput> in = Workloads.random(c, tokens, seed);
    ByteBuffer[][] sent = new ByteBuffer[n][];
    for (int s = 0; s < n; s++) {
      sent[s] = new RankEngine(c, s).llDispatchSend(in.get(s).x(), in.get(s).routing());
    }
    for (int r = 0; r < n; r++) {
      RankEngine engine = new RankEngine(c, r);
      ByteBuffer[] fromSource = new ByteBuffer[n];
      for (int s = 0; s < n; s++) {
        fromSource[s] = sent[s][r].duplicate();
      }
      LlDispatchResult d = engine.llDispatchReceive(fromSource);
      ByteBuffer[] padded = engine.llCombineSend(d, engine.llExperts(d, kernel));
      LlExpertPass pass = engine.llExpertsInPlace(fromSource, kernel);
      long pairs = 0;
      for (int count : d.recvCount()) {
        pairs += count;
      }
      assertEquals(pairs, pass.receivedPairs(), "received pairs on rank " + r);
      for (int s = 0; s < n; s++) {
        assertEquals(padded[s], pass.combinePayloads()[s], "combine payload of rank " + r + " to rank " + s + " in " + c);
      }
    }
  }
}
