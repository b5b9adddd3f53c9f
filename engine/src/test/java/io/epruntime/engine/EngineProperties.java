package io.epruntime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The engine against {@link NaiveOracle} over random worlds: N in 1..16, E a multiple of N up to
 * 512, K in 1..16 (at most E), T in 0..4096 (zero included), masked slots, alignment 1/16/128, every
 * dtype. Sizes are bounded by an element budget so large T comes only with small N*H, which keeps
 * the whole class to well under a minute.
 */
class EngineProperties {
  /** Most elements of x over all ranks in one HT try. */
  private static final int HT_BUDGET = 1 << 18;
  /** Most elements of all ranks' LL receive buffers in one try. */
  private static final int LL_BUDGET = 1 << 22;

  @Provide
  Arbitrary<Integer> alignments() {
    return Arbitraries.of(1, 16, 128);
  }

  private static EpConfig world(int n, int expertsPerRank, int topk, int hRaw, int m, int alignment, DType dtype) {
    int e = n * Math.min(expertsPerRank, 512 / n);
    int h = dtype == DType.FP8_E4M3 ? (hRaw > 200 ? 256 : 128) : hRaw;
    return new EpConfig(n, e, h, Math.min(topk, e), m, alignment, dtype);
  }

  private static int[] tokens(int n, int max, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] t = new int[n];
    for (int r = 0; r < n; r++) {
      // One rank in four gets no tokens at all; the others anything up to max, max itself included.
      t[r] = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(max + 1);
    }
    if (n > 0 && max > 0) {
      t[rnd.nextInt(n)] = max;
    }
    return t;
  }

  private static ExpertKernel kernel(boolean scale, EpConfig c) {
    return scale ? ExpertKernel.scale(c.hidden(), c.experts()) : ExpertKernel.identity(c.hidden());
  }

  private static NaiveOracle.ElementKernel oracleKernel(boolean scale, EpConfig c) {
    return scale ? NaiveOracle.ElementKernel.scale(c.experts()) : NaiveOracle.ElementKernel.identity();
  }

  @Property(tries = 150)
  void htDispatchAndStepMatchTheOracle(
      @ForAll @IntRange(min = 1, max = 16) int n,
      @ForAll @IntRange(min = 1, max = 32) int expertsPerRank,
      @ForAll @IntRange(min = 1, max = 16) int topk,
      @ForAll @IntRange(min = 0, max = 4096) int maxTokens,
      @ForAll @IntRange(min = 1, max = 256) int hRaw,
      @ForAll("alignments") int alignment,
      @ForAll DType dtype,
      @ForAll boolean scale,
      @ForAll long seed) {
    EpConfig c = world(n, expertsPerRank, topk, hRaw, 0, alignment, dtype);
    int max = Math.min(maxTokens, HT_BUDGET / (n * c.hidden()));
    List<RankInput> in = Workloads.random(c, tokens(n, max, seed), seed);
    List<Routing> routing = Fixtures.routings(in);
    ReferenceEngine engine = new ReferenceEngine(c);

    List<DispatchLayout> layouts = engine.layout(routing);
    List<HtDispatchResult> d = engine.htDispatch(Fixtures.xs(in), routing);
    for (int r = 0; r < n; r++) {
      DispatchLayout want = NaiveOracle.layout(c, routing.get(r));
      assertArrayEquals(want.tokensPerRank(), layouts.get(r).tokensPerRank());
      assertArrayEquals(want.tokensPerExpert(), layouts.get(r).tokensPerExpert());
      assertArrayEquals(want.tokenInRank(), layouts.get(r).tokenInRank());

      List<int[]> rows = NaiveOracle.htReceivedRows(c, routing, r);
      HtDispatchResult res = d.get(r);
      assertEquals(rows.size(), res.recvRows(), "rows received by rank " + r);
      int[] perLocal = new int[c.localExperts()];
      for (int i = 0; i < rows.size(); i++) {
        int s = rows.get(i)[0];
        int t = rows.get(i)[1];
        assertEquals(s, res.handle().recvSrcRank()[i]);
        assertEquals(t, res.handle().recvSrcToken()[i]);
        assertArrayEquals(Fixtures.rowBytes(in.get(s).x(), t), Fixtures.rowBytes(res.recvX(), i));
        for (int k = 0; k < c.topk(); k++) {
          long e = routing.get(s).expert(t, k);
          long local = e != -1 && e / c.localExperts() == r ? e % c.localExperts() : -1;
          assertEquals(local, res.recvTopkIdx()[i * c.topk() + k]);
          if (local >= 0) {
            perLocal[(int) local]++;
          }
        }
      }
      for (int l = 0; l < perLocal.length; l++) {
        int aligned = perLocal[l] % alignment == 0 ? perLocal[l] : (perLocal[l] / alignment + 1) * alignment;
        assertEquals(aligned, res.recvTokensPerExpert()[l], "aligned count of local expert " + l);
      }
    }

    List<HiddenStates> out = engine.runStep(StepMode.HT, kernel(scale, c), Fixtures.xs(in), routing);
    for (int r = 0; r < n; r++) {
      float[][] want = NaiveOracle.htStep(c, in.get(r).x(), routing.get(r), oracleKernel(scale, c), null);
      assertNull(NaiveOracle.firstMismatch(want, out.get(r)), "HT output of rank " + r + " in " + c);
    }
  }

  @Property(tries = 150)
  void llDispatchAndStepMatchTheOracle(
      @ForAll @IntRange(min = 1, max = 16) int n,
      @ForAll @IntRange(min = 1, max = 32) int expertsPerRank,
      @ForAll @IntRange(min = 1, max = 16) int topk,
      @ForAll @IntRange(min = 1, max = 4096) int capacity,
      @ForAll @IntRange(min = 1, max = 256) int hRaw,
      @ForAll DType dtype,
      @ForAll boolean scale,
      @ForAll long seed) {
    EpConfig shape = world(n, expertsPerRank, topk, hRaw, 1, 1, dtype);
    int m = Math.max(1, Math.min(capacity, LL_BUDGET / (n * shape.experts() * shape.hidden())));
    m = Math.min(m, HT_BUDGET / (n * shape.hidden()) + 1);
    EpConfig c = new EpConfig(n, shape.experts(), shape.hidden(), shape.topk(), m, 1, dtype);
    List<RankInput> in = Workloads.random(c, tokens(n, m, seed), seed);
    List<Routing> routing = Fixtures.routings(in);
    ReferenceEngine engine = new ReferenceEngine(c);

    List<LlDispatchResult> d = engine.llDispatch(Fixtures.xs(in), routing);
    for (int r = 0; r < n; r++) {
      LlDispatchResult res = d.get(r);
      for (int l = 0; l < c.localExperts(); l++) {
        long expert = (long) r * c.localExperts() + l;
        int total = 0;
        for (int s = 0; s < n; s++) {
          int i = 0;
          for (int t = 0; t < routing.get(s).tokens(); t++) {
            for (int k = 0; k < c.topk(); k++) {
              if (routing.get(s).expert(t, k) == expert) {
                int slot = (l * n + s) * m + i++;
                assertEquals(t, res.srcInfo()[slot], "src_info of slot " + slot);
                assertArrayEquals(Fixtures.rowBytes(in.get(s).x(), t), Fixtures.rowBytes(res.recvX(), slot));
              }
            }
          }
          assertEquals(i, res.handle().count(l, s));
          total += i;
        }
        assertEquals(total, res.recvCount()[l]);
      }
    }

    List<HiddenStates> out = engine.runStep(StepMode.LL, kernel(scale, c), Fixtures.xs(in), routing);
    for (int r = 0; r < n; r++) {
      float[][] want = NaiveOracle.llStep(c, in.get(r).x(), routing.get(r), oracleKernel(scale, c));
      assertNull(NaiveOracle.firstMismatch(want, out.get(r)), "LL output of rank " + r + " in " + c);
      assertTrue(out.get(r).tokens() <= m);
    }
  }
}
