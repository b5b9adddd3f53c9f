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

/** DeepEP's intranode checks (tests/legacy/test_intranode.py) on a 4-rank world, every dtype. */
class HtGoldenTest {
  private static final int[] TOKENS = {300, 0, 257, 128};

  private static EpConfig config(DType dtype) {
    return Fixtures.config(4, 32, 256, 6, 0, 16, dtype);
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void layoutEqualsThePlainReference(DType dtype) {
    EpConfig c = config(dtype);
    List<RankInput> in = Workloads.random(c, TOKENS, 1);
    List<DispatchLayout> layouts = new ReferenceEngine(c).layout(Fixtures.routings(in));
    for (int r = 0; r < c.worldSize(); r++) {
      DispatchLayout want = NaiveOracle.layout(c, in.get(r).routing());
      assertArrayEquals(want.tokensPerRank(), layouts.get(r).tokensPerRank(), "tokens_per_rank of rank " + r);
      assertArrayEquals(want.tokensPerExpert(), layouts.get(r).tokensPerExpert(), "tokens_per_expert of rank " + r);
      assertArrayEquals(want.tokenInRank(), layouts.get(r).tokenInRank(), "token_in_rank of rank " + r);
    }
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void everyReceivedRowComesFromTheRightSource(DType dtype) {
    EpConfig c = config(dtype);
    List<RankInput> in = Workloads.random(c, TOKENS, 2);
    List<Routing> routing = Fixtures.routings(in);
    List<HtDispatchResult> results = new ReferenceEngine(c).htDispatch(Fixtures.xs(in), routing);
    for (int d = 0; d < c.worldSize(); d++) {
      HtDispatchResult res = results.get(d);
      List<int[]> want = NaiveOracle.htReceivedRows(c, routing, d);
      int allReduced = 0;
      for (RankInput ri : in) {
        allReduced += NaiveOracle.layout(c, ri.routing()).tokensPerRank()[d];
      }
      assertEquals(allReduced, res.recvRows(), "recv rows of rank " + d);
      assertEquals(want.size(), res.recvRows());
      int[] prefix = res.handle().rankPrefix();
      for (int i = 0; i < want.size(); i++) {
        int s = want.get(i)[0];
        int t = want.get(i)[1];
        assertEquals(s, res.handle().recvSrcRank()[i], "source rank of row " + i);
        assertEquals(t, res.handle().recvSrcToken()[i], "source token of row " + i);
        assertTrue(i >= prefix[s] && i < prefix[s + 1], "row " + i + " inside the prefix range of source " + s);
        assertArrayEquals(Fixtures.rowBytes(in.get(s).x(), t), Fixtures.rowBytes(res.recvX(), i), "bytes of row " + i);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void localIdsWeightsAndAlignedCountsMatch(DType dtype) {
    EpConfig c = config(dtype);
    List<RankInput> in = Workloads.random(c, TOKENS, 3);
    List<Routing> routing = Fixtures.routings(in);
    List<HtDispatchResult> results = new ReferenceEngine(c).htDispatch(Fixtures.xs(in), routing);
    int k = c.topk();
    for (int d = 0; d < c.worldSize(); d++) {
      HtDispatchResult res = results.get(d);
      int[] seen = new int[c.localExperts()];
      for (int i = 0; i < res.recvRows(); i++) {
        Routing src = routing.get(res.handle().recvSrcRank()[i]);
        int t = res.handle().recvSrcToken()[i];
        for (int s = 0; s < k; s++) {
          long l = res.recvTopkIdx()[i * k + s];
          assertTrue(l >= -1 && l < c.localExperts(), "local id " + l);
          long e = src.expert(t, s);
          boolean local = e != -1 && e / c.localExperts() == d;
          assertEquals(local ? e - (long) d * c.localExperts() : -1, l, "local id of row " + i + " slot " + s);
          assertEquals(local ? src.weight(t, s) : 0f, res.recvTopkWeights()[i * k + s], "weight of row " + i + " slot " + s);
          if (l >= 0) {
            seen[(int) l]++;
          }
        }
      }
      for (int l = 0; l < c.localExperts(); l++) {
        int allReduced = 0;
        for (RankInput ri : in) {
          allReduced += NaiveOracle.layout(c, ri.routing()).tokensPerExpert()[d * c.localExperts() + l];
        }
        assertEquals(allReduced, seen[l], "count of local expert " + l);
        int aligned = (allReduced + c.alignment() - 1) / c.alignment() * c.alignment();
        assertEquals(aligned, res.recvTokensPerExpert()[l], "aligned count of local expert " + l);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void cachedDispatchReproducesTheRowsAndCarriesNewOnes(DType dtype) {
    EpConfig c = config(dtype);
    ReferenceEngine engine = new ReferenceEngine(c);
    List<RankInput> in = Workloads.random(c, TOKENS, 4);
    List<HtDispatchResult> results = engine.htDispatch(Fixtures.xs(in), Fixtures.routings(in));
    List<HtHandle> handles = results.stream().map(HtDispatchResult::handle).toList();
    List<HiddenStates> again = engine.htCachedDispatch(handles, Fixtures.xs(in));
    List<HiddenStates> fresh = new ArrayList<>();
    for (int r = 0; r < c.worldSize(); r++) {
      assertTrue(results.get(r).recvX().x().contentEquals(again.get(r).x()), "cached rows of rank " + r);
      fresh.add(Workloads.hidden(c, TOKENS[r], new SplittableRandom(100 + r)));
    }
    List<HiddenStates> moved = engine.htCachedDispatch(handles, fresh);
    for (int d = 0; d < c.worldSize(); d++) {
      HtHandle h = handles.get(d);
      for (int i = 0; i < h.recvRows(); i++) {
        assertArrayEquals(Fixtures.rowBytes(fresh.get(h.recvSrcRank()[i]), h.recvSrcToken()[i]),
            Fixtures.rowBytes(moved.get(d), i), "cached row " + i + " of rank " + d);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void combineOfDispatchIsXTimesTheNumberOfDestinations(DType dtype) {
    EpConfig c = config(dtype);
    ReferenceEngine engine = new ReferenceEngine(c);
    List<RankInput> in = Workloads.random(c, TOKENS, 5);
    List<HtDispatchResult> results = engine.htDispatch(Fixtures.xs(in), Fixtures.routings(in));
    List<HiddenStates> back = new ArrayList<>();
    for (HtDispatchResult res : results) {
      back.add(Fixtures.toCombineDType(res.recvX()));
    }
    List<HiddenStates> combined = engine.htCombine(results, back, null);
    for (int r = 0; r < c.worldSize(); r++) {
      HiddenStates x = Fixtures.toCombineDType(in.get(r).x());
      float[][] want = new float[x.tokens()][c.hidden()];
      float[][] exact = new float[x.tokens()][c.hidden()];
      for (int t = 0; t < x.tokens(); t++) {
        int n = 0;
        for (int d = 0; d < c.worldSize(); d++) {
          n += NaiveOracle.goesTo(c, in.get(r).routing(), t, d) ? 1 : 0;
        }
        for (int ch = 0; ch < c.hidden(); ch++) {
          float v = x.value(t, ch);
          want[t][ch] = v * n;
          float acc = 0f;
          for (int i = 0; i < n; i++) {
            acc += v;
          }
          exact[t][ch] = NaiveOracle.roundTo(c.dtype().combineDType(), acc);
        }
      }
      double diff = CalcDiff.of(want, combined.get(r));
      double limit = dtype == DType.FP8_E4M3 ? 5e-4 : 5e-6;
      assertTrue(diff < limit, "calc_diff " + diff + " of rank " + r);
      assertNull(NaiveOracle.firstMismatch(exact, combined.get(r)), "rank " + r);
    }
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void wholeStepWithBiasMatchesTheOracleBitForBit(DType dtype) {
    EpConfig c = config(dtype);
    ReferenceEngine engine = new ReferenceEngine(c);
    List<RankInput> in = Workloads.random(c, TOKENS, 6);
    ExpertKernel kernel = ExpertKernel.scale(c.hidden(), c.experts());
    List<HtDispatchResult> d = engine.htDispatch(Fixtures.xs(in), Fixtures.routings(in));
    List<HiddenStates> reduced = new ArrayList<>();
    List<HiddenStates> bias = new ArrayList<>();
    EpConfig combineWorld = c.withDtype(c.dtype().combineDType());
    for (int r = 0; r < c.worldSize(); r++) {
      reduced.add(engine.rank(r).htExpertsAndLocalReduce(d.get(r), kernel));
      bias.add(Workloads.hidden(combineWorld, TOKENS[r], new SplittableRandom(7 + r)));
    }
    List<HiddenStates> out = engine.htCombine(d, reduced, bias);
    List<HiddenStates> step = engine.runStep(StepMode.HT, kernel, Fixtures.xs(in), Fixtures.routings(in));
    NaiveOracle.ElementKernel f = NaiveOracle.ElementKernel.scale(c.experts());
    for (int r = 0; r < c.worldSize(); r++) {
      RankInput ri = in.get(r);
      assertNull(NaiveOracle.firstMismatch(NaiveOracle.htStep(c, ri.x(), ri.routing(), f, bias.get(r)), out.get(r)),
          "with bias, rank " + r);
      assertNull(NaiveOracle.firstMismatch(NaiveOracle.htStep(c, ri.x(), ri.routing(), f, null), step.get(r)),
          "runStep, rank " + r);
      assertTrue(step.get(r).x().contentEquals(
          engine.runStep(StepMode.HT, kernel, Fixtures.xs(in), Fixtures.routings(in)).get(r).x()), "deterministic");
    }
  }
}
