package io.epruntime.cli.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.cli.CliException;
import io.epruntime.cli.ExitCode;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.StepMode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WorkloadAndOptionsTest {

  static RunOptions options(int ranks, int experts, int tokens, RunOptions.Mode mode) {
    return new RunOptions(ranks, 10, tokens, 64, experts, 2, DType.BF16, ExpertKernelSpec.scale(), mode, RunOptions.defaultLlCapacity(mode, tokens), 7, 4,
        Duration.ofSeconds(60), Duration.ofSeconds(30));
  }

  @Test
  void autoModeAlternatesHtAndLlSteps() {
    SeededWorkload w = new SeededWorkload(options(4, 8, 32, RunOptions.Mode.auto));
    for (int i = 0; i < 8; i++) {
      StepInput in = w.step(i);
      StepMode chosen = StepMode.choose(w.config(), in.tokensPerRank());
      assertEquals(i % 2 == 0 ? StepMode.HT : StepMode.LL, chosen, "step " + i);
      assertNull(in.requestedMode());
      for (int t : in.tokensPerRank()) {
        assertTrue(t >= 1 && t <= 32, "tokens " + t);
      }
    }
  }

  @Test
  void forcedModesFitTheirCapacity() {
    SeededWorkload ll = new SeededWorkload(options(2, 4, 16, RunOptions.Mode.ll));
    for (int i = 0; i < 6; i++) {
      StepInput in = ll.step(i);
      assertEquals(StepMode.LL, in.requestedMode());
      assertEquals(StepMode.LL, StepMode.choose(ll.config(), in.tokensPerRank()));
    }
    assertEquals(StepMode.HT, new SeededWorkload(options(2, 4, 16, RunOptions.Mode.ht)).step(1).requestedMode());
  }

  @Test
  void stepsAreAPureFunctionOfSeedAndIndex() {
    StepInput a = new SeededWorkload(options(2, 4, 16, RunOptions.Mode.auto)).step(5);
    StepInput b = new SeededWorkload(options(2, 4, 16, RunOptions.Mode.auto)).step(5);
    assertArrayEquals(a.tokensPerRank(), b.tokensPerRank());
    for (int r = 0; r < 2; r++) {
      assertTrue(a.x().get(r).x().contentEquals(b.x().get(r).x()));
      assertArrayEquals(a.routing().get(r).topkIdx(), b.routing().get(r).topkIdx());
    }
  }

  @Test
  void expertsMustDivideByRanks() {
    CliException e = assertThrows(CliException.class, () -> options(4, 10, 8, RunOptions.Mode.auto));
    assertEquals(ExitCode.USAGE, e.exitCode());
    assertEquals("--experts = 10 is not a multiple of --ranks = 4; every rank holds E/N experts", e.getMessage());
  }

  @Test
  void badNumbersNameTheFlagAndTheAllowedRange() {
    CliException e = assertThrows(CliException.class, () -> new RunOptions(4, 0, 8, 64, 8, 2, DType.BF16,
        ExpertKernelSpec.scale(), RunOptions.Mode.auto, 4, 1, 4, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    assertEquals("--steps = 0 is not allowed; allowed: >= 1", e.getMessage());
    e = assertThrows(CliException.class, () -> new RunOptions(4, 1, 8, 64, 8, 9, DType.BF16,
        ExpertKernelSpec.scale(), RunOptions.Mode.auto, 4, 1, 4, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    assertTrue(e.getMessage().startsWith("--topk = 9 is not allowed; allowed: 1..8"), e.getMessage());
    e = assertThrows(CliException.class, () -> new RunOptions(4, 1, 8, 100, 8, 2, DType.FP8_E4M3,
        ExpertKernelSpec.scale(), RunOptions.Mode.auto, 4, 1, 4, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    assertEquals("--hidden = 100 must be a multiple of 128 for --dtype fp8-e4m3", e.getMessage());
  }

  @Test
  void llCapacityPerMode() {
    assertEquals(16, options(2, 4, 32, RunOptions.Mode.auto).llCapacity());
    assertEquals(32, options(2, 4, 32, RunOptions.Mode.ll).llCapacity());
    assertEquals(0, options(2, 4, 32, RunOptions.Mode.ht).llCapacity());
    CliException e = assertThrows(CliException.class, () -> options(2, 4, 32, RunOptions.Mode.ll).phase(64, RunOptions.Mode.ll, 5));
    assertTrue(e.getMessage().startsWith("--mode ll needs every step to fit the LL capacity"), e.getMessage());
  }

  @Test
  void aPhaseKeepsTheWorldAndItsCapacity() {
    RunOptions world = options(2, 4, 64, RunOptions.Mode.ll);
    RunOptions phase = world.phase(8, RunOptions.Mode.auto, 3);
    assertEquals(world.epConfig(), phase.epConfig());
    SeededWorkload w = new SeededWorkload(phase);
    for (int i = 0; i < 3; i++) {
      for (int t : w.step(i).tokensPerRank()) {
        assertTrue(t >= 1 && t <= 8, "tokens " + t);
      }
    }
  }
}
