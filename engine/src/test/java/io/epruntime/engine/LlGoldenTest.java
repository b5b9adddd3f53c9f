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
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** DeepEP's low-latency checks (tests/legacy/test_low_latency.py) on a 4-rank world, every dtype. */
class LlGoldenTest {
  private static final int M = 64;
  private static final int[] TOKENS = {64, 0, 33, 17};

  private static EpConfig config(DType dtype) {
    return Fixtures.config(4, 32, 256, 6, M, 1, dtype);
  }

  /** The workload plus ten extra slots masked to -1, as DeepEP's test does. */
  private static List<RankInput> inputs(EpConfig c, long seed) {
    List<RankInput> in = new ArrayList<>(Workloads.random(c, TOKENS, seed));
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < 10; i++) {
      int r = rnd.nextInt(c.worldSize());
      Routing routing = in.get(r).routing();
      if (routing.tokens() > 0) {
        routing.topkIdx()[rnd.nextInt(routing.topkIdx().length)] = -1;
      }
    }
    return in;
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void countsLayoutAndSourcesMatch(DType dtype) {
    EpConfig c = config(dtype);
    List<RankInput> in = inputs(c, 11);
    List<LlDispatchResult> results = new ReferenceEngine(c).llDispatch(Fixtures.xs(in), Fixtures.routings(in));
    int n = c.worldSize();
    for (int d = 0; d < n; d++) {
      LlDispatchResult res = results.get(d);
      assertEquals(c.localExperts() * n * M, res.recvX().tokens(), "fixed shape");
      boolean[] used = new boolean[res.recvX().tokens()];
      for (int l = 0; l < c.localExperts(); l++) {
        long expert = (long) d * c.localExperts() + l;
        int total = 0;
        for (int s = 0; s < n; s++) {
          Routing src = in.get(s).routing();
          List<Integer> want = new ArrayList<>();
          for (int t = 0; t < src.tokens(); t++) {
            for (int k = 0; k < c.topk(); k++) {
              if (src.expert(t, k) == expert) {
                want.add(t);
              }
            }
          }
          total += want.size();
          assertEquals(want.size(), res.handle().count(l, s), "layout count of (" + l + ", " + s + ")");
          assertEquals(((long) (l * n * M + s * M) << 32) | want.size(), res.handle().layoutRange(l, s));
          for (int i = 0; i < want.size(); i++) {
            int slot = l * n * M + s * M + i;
            used[slot] = true;
            assertEquals(want.get(i), res.srcInfo()[slot], "src_info of slot " + slot);
            assertArrayEquals(Fixtures.rowBytes(in.get(s).x(), want.get(i)), Fixtures.rowBytes(res.recvX(), slot),
                "bytes of slot " + slot);
          }
        }
        assertEquals(total, res.recvCount()[l], "recv_count of local expert " + l);
      }
      byte[] zero = new byte[Fixtures.rowBytes(res.recvX(), 0).length];
      for (int slot = 0; slot < used.length; slot++) {
        if (!used[slot]) {
          assertEquals(-1, res.srcInfo()[slot]);
          assertArrayEquals(zero, Fixtures.rowBytes(res.recvX(), slot), "unused slot " + slot + " stays zero");
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void combineOfDispatchIsXTimesTheSumOfWeights(DType dtype) {
    EpConfig c = config(dtype);
    ReferenceEngine engine = new ReferenceEngine(c);
    List<RankInput> in = inputs(c, 12);
    List<LlDispatchResult> d = engine.llDispatch(Fixtures.xs(in), Fixtures.routings(in));
    List<HiddenStates> y = new ArrayList<>();
    for (int r = 0; r < c.worldSize(); r++) {
      y.add(engine.rank(r).llExperts(d.get(r), ExpertKernel.identity(c.hidden())));
    }
    List<HiddenStates> combined = engine.llCombine(d, y, Fixtures.routings(in));
    for (int r = 0; r < c.worldSize(); r++) {
      RankInput ri = in.get(r);
      float[][] want = new float[ri.x().tokens()][c.hidden()];
      for (int t = 0; t < want.length; t++) {
        float sum = 0f;
        for (int k = 0; k < c.topk(); k++) {
          sum += ri.routing().expert(t, k) == -1 ? 0f : ri.routing().weight(t, k);
        }
        for (int ch = 0; ch < c.hidden(); ch++) {
          want[t][ch] = ri.x().value(t, ch) * sum;
        }
      }
      double diff = CalcDiff.of(want, combined.get(r));
      double limit = dtype == DType.FP8_E4M3 ? 9e-4 : 1e-5;
      assertTrue(diff < limit, "calc_diff " + diff + " of rank " + r);
      for (float[] row : Fixtures.values(combined.get(r))) {
        for (float v : row) {
          assertTrue(Float.isFinite(v), "no NaN");
        }
      }
      assertNull(NaiveOracle.firstMismatch(
          NaiveOracle.llStep(c, ri.x(), ri.routing(), NaiveOracle.ElementKernel.identity()), combined.get(r)));
    }
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void wholeStepMatchesTheOracleBitForBit(DType dtype) {
    EpConfig c = config(dtype);
    List<RankInput> in = inputs(c, 13);
    ReferenceEngine engine = new ReferenceEngine(c);
    ExpertKernel kernel = ExpertKernel.scale(c.hidden(), c.experts());
    List<HiddenStates> out = engine.runStep(StepMode.LL, kernel, Fixtures.xs(in), Fixtures.routings(in));
    for (int r = 0; r < c.worldSize(); r++) {
      RankInput ri = in.get(r);
      assertNull(NaiveOracle.firstMismatch(
          NaiveOracle.llStep(c, ri.x(), ri.routing(), NaiveOracle.ElementKernel.scale(c.experts())), out.get(r)),
          "rank " + r);
    }
  }
}
