package io.epruntime.rank.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.epruntime.engine.ExpertKernel;
import io.epruntime.engine.RankInput;
import io.epruntime.engine.ReferenceEngine;
import io.epruntime.engine.Workloads;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.rank.backend.StepOutcome;
import io.epruntime.rank.backend.StepSpec;
import io.epruntime.rank.backend.WorldAbortedException;
import io.epruntime.rank.backend.WorldSpec;
import io.epruntime.transport.AeronNode;
import io.epruntime.transport.TransportSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Four ranks, each with its own embedded media driver and CpuBackend, in one JVM, rows moving over
 * UDP loopback. Every output must equal ReferenceEngine's bit for bit.
 */
@Timeout(300)
class CpuBackendClusterTest {
  private static final int N = 4;
  private static final AtomicLong GENERATIONS = new AtomicLong();
  private static final List<AeronNode> NODES = new ArrayList<>();
  private static final List<CpuBackend> BACKENDS = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    for (int r = 0; r < N; r++) {
      AeronNode node = AeronNode.start(TransportSettings.defaults());
      NODES.add(node);
      BACKENDS.add(new CpuBackend(node));
    }
  }

  @AfterAll
  static void stopCluster() {
    BACKENDS.forEach(CpuBackend::close);
    NODES.forEach(AeronNode::close);
  }

  private static EpConfig config(DType dtype) {
    return new EpConfig(N, 16, 256, 4, 32, 1, dtype);
  }

  /** Joins all ranks to a fresh generation of {@code config}; returns the generation. */
  private static long joinAll(EpConfig config) throws Exception {
    long g = GENERATIONS.incrementAndGet();
    List<String> endpoints = NODES.stream().map(AeronNode::endpoint).toList();
    byte[] uid = BACKENDS.get(0).newUniqueId();
    List<CompletableFuture<byte[]>> joins = new ArrayList<>();
    for (int r = 0; r < N; r++) {
      joins.add(BACKENDS.get(r).joinWorld(new WorldSpec(g, r, config, uid, endpoints)).toCompletableFuture());
    }
    for (CompletableFuture<byte[]> j : joins) {
      assertEquals(0, j.get(30, TimeUnit.SECONDS).length, "the cpu backend needs no peer window");
    }
    return g;
  }

  private static List<CompletableFuture<StepOutcome>> runOn(List<Integer> ranks, StepSpec spec, List<RankInput> in) {
    List<CompletableFuture<StepOutcome>> out = new ArrayList<>();
    for (int r : ranks) {
      out.add(BACKENDS.get(r).runStep(spec, in.get(r).x(), in.get(r).routing()).toCompletableFuture());
    }
    return out;
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (DType d : DType.values()) {
      for (StepMode m : StepMode.values()) {
        for (ExpertKernelSpec k : List.of(ExpertKernelSpec.identity(), ExpertKernelSpec.scale(), ExpertKernelSpec.swiglu(1234, 64))) {
          out.add(Arguments.of(d, m, k));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("cases")
  void stepsOverAeronEqualTheReferenceBitForBit(DType dtype, StepMode mode, ExpertKernelSpec kernel) throws Exception {
    EpConfig config = config(dtype);
    long g = joinAll(config);
    // Two steps in flight at once, one with an empty rank: payloads of the later step that arrive
    // early are held until each rank starts it.
    int[][] tokens = {{5, 0, 17, 9}, {32, 1, 3, 30}};
    List<List<RankInput>> inputs = new ArrayList<>();
    List<List<CompletableFuture<StepOutcome>>> running = new ArrayList<>();
    for (int s = 0; s < tokens.length; s++) {
      List<RankInput> in = Workloads.random(config, tokens[s], 77L * (s + 1) + dtype.ordinal());
      inputs.add(in);
      running.add(runOn(List.of(0, 1, 2, 3), new StepSpec(s + 1, g, mode, tokens[s], kernel), in));
    }
    ReferenceEngine reference = new ReferenceEngine(config);
    ExpertKernel k = ExpertKernel.of(kernel, config);
    for (int s = 0; s < tokens.length; s++) {
      List<HiddenStates> xs = inputs.get(s).stream().map(RankInput::x).toList();
      List<Routing> rs = inputs.get(s).stream().map(RankInput::routing).toList();
      List<HiddenStates> expected = reference.runStep(mode, k, xs, rs);
      for (int r = 0; r < N; r++) {
        StepOutcome got = running.get(s).get(r).get(60, TimeUnit.SECONDS);
        HiddenStates want = expected.get(r);
        assertEquals(tokens[s][r], got.combined().tokens(), "tokens of rank " + r);
        if (!want.x().contentEquals(got.combined().x())) {
          fail("step " + (s + 1) + " rank " + r + ": first mismatch " + firstMismatch(want, got.combined()));
        }
        assertNull(got.combined().scales());
        assertTrue(got.receivedRows() >= 0 && got.dispatchBytes() >= 0 && got.combineBytes() >= 0);
      }
    }
  }

  private static String firstMismatch(HiddenStates want, HiddenStates got) {
    if (want.dtype() != got.dtype() || want.tokens() != got.tokens() || want.hidden() != got.hidden()) {
      return "shape/dtype " + got.x() + " vs " + want.x();
    }
    for (int t = 0; t < want.tokens(); t++) {
      for (int c = 0; c < want.hidden(); c++) {
        if (Float.floatToRawIntBits(want.value(t, c)) != Float.floatToRawIntBits(got.value(t, c))) {
          return "[" + t + ", " + c + "] = " + got.value(t, c) + ", reference " + want.value(t, c);
        }
      }
    }
    return "none by value (bytes differ)";
  }

  @Test
  void abortFailsInFlightStepsAndTheNextGenerationServes() throws Exception {
    EpConfig config = config(DType.BF16);
    long g = joinAll(config);
    int[] tokens = {4, 4, 4, 4};
    List<RankInput> in = Workloads.random(config, tokens, 5);
    StepSpec spec = new StepSpec(1, g, StepMode.HT, tokens, ExpertKernelSpec.scale());
    // Rank 3 never starts the step, so ranks 0..2 wait for its payloads.
    List<CompletableFuture<StepOutcome>> waiting = runOn(List.of(0, 1, 2), spec, in);
    for (int r = 0; r < 3; r++) {
      assertEquals(1, BACKENDS.get(r).stepsInFlight().toCompletableFuture().get(10, TimeUnit.SECONDS));
    }
    BACKENDS.forEach(b -> b.abortWorld("test abort"));
    for (CompletableFuture<StepOutcome> f : waiting) {
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
      WorldAbortedException w = assertInstanceOf(WorldAbortedException.class, e.getCause());
      assertEquals(g, w.generation());
      assertTrue(w.getMessage().contains("test abort"), w.getMessage());
    }
    // A step of the aborted generation is refused at once.
    ExecutionException late = assertThrows(ExecutionException.class,
        () -> runOn(List.of(3), spec, in).get(0).get(30, TimeUnit.SECONDS));
    assertInstanceOf(WorldAbortedException.class, late.getCause());
    // The next generation works.
    long g2 = joinAll(config);
    List<CompletableFuture<StepOutcome>> ok = runOn(List.of(0, 1, 2, 3), new StepSpec(2, g2, StepMode.HT, tokens, ExpertKernelSpec.scale()), in);
    for (CompletableFuture<StepOutcome> f : ok) {
      assertEquals(4, f.get(60, TimeUnit.SECONDS).combined().tokens());
    }
  }

  @Test
  void badInputFailsThatRanksStepWithTheFieldNamed() throws Exception {
    EpConfig config = config(DType.FP32);
    long g = joinAll(config);
    int[] tokens = {2, 2, 2, 2};
    List<RankInput> in = Workloads.random(config, tokens, 9);
    Routing bad = new Routing(2, 4, new long[] {0, 1, 2, 99, 0, 1, 2, 3}, new float[8]);
    StepSpec spec = new StepSpec(1, g, StepMode.HT, tokens, ExpertKernelSpec.identity());
    CompletableFuture<StepOutcome> f = BACKENDS.get(0).runStep(spec, in.get(0).x(), bad).toCompletableFuture();
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("topk_idx"), e.getCause().getMessage());
    assertEquals(0, BACKENDS.get(0).stepsInFlight().toCompletableFuture().get(10, TimeUnit.SECONDS));
  }

  @Test
  void aSequenceNumberRunsOncePerGeneration() throws Exception {
    EpConfig config = config(DType.FP32);
    long g = joinAll(config);
    int[] tokens = {1, 1, 1, 1};
    List<RankInput> in = Workloads.random(config, tokens, 11);
    StepSpec spec = new StepSpec(1, g, StepMode.LL, tokens, ExpertKernelSpec.identity());
    for (CompletableFuture<StepOutcome> f : runOn(List.of(0, 1, 2, 3), spec, in)) {
      f.get(60, TimeUnit.SECONDS);
    }
    ExecutionException again = assertThrows(ExecutionException.class, () -> runOn(List.of(2), spec, in).get(0).get(30, TimeUnit.SECONDS));
    assertTrue(again.getCause().getMessage().contains("seq"), again.getCause().getMessage());
  }

  @Test
  void joinRefusesEndpointsThatDoNotMatchTheWorldSize() {
    EpConfig config = config(DType.FP32);
    CompletableFuture<byte[]> f = BACKENDS.get(0).joinWorld(
        new WorldSpec(GENERATIONS.incrementAndGet(), 0, config, new byte[128], List.of(NODES.get(0).endpoint()))).toCompletableFuture();
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("dataEndpoints"), e.getCause().getMessage());
  }
}
