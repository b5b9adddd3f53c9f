package io.epruntime.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.engine.ExpertKernel;
import io.epruntime.engine.ReferenceEngine;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputComparatorTest {

  private static List<HiddenStates> referenceOutputs(RunOptions o, StepInput in, StepMode mode) {
    SeededWorkload w = new SeededWorkload(o);
    return new ReferenceEngine(w.config()).runStep(mode, ExpertKernel.of(o.kernel(), w.config()), in.x(), in.routing());
  }

  private static List<HiddenStates> copy(List<HiddenStates> xs) {
    List<HiddenStates> out = new ArrayList<>();
    for (HiddenStates h : xs) {
      out.add(new HiddenStates(h.x().copy(), h.scales() == null ? null : h.scales().copy()));
    }
    return out;
  }

  @Test
  void identicalOutputsMatch() {
    RunOptions o = WorkloadAndOptionsTest.options(2, 4, 8, RunOptions.Mode.auto);
    StepInput in = new SeededWorkload(o).step(0);
    List<HiddenStates> expected = referenceOutputs(o, in, StepMode.HT);
    assertNull(OutputComparator.mismatch(expected, copy(expected), DType.BF16, StepMode.HT));
  }

  @Test
  void aChangedElementIsReportedWithPosition() {
    RunOptions o = WorkloadAndOptionsTest.options(2, 4, 8, RunOptions.Mode.auto);
    StepInput in = new SeededWorkload(o).step(1);
    List<HiddenStates> expected = referenceOutputs(o, in, StepMode.LL);
    List<HiddenStates> actual = copy(expected);
    float was = actual.get(1).x().get(0, 3);
    actual.get(1).x().set(0, 3, was + 8f);
    String m = OutputComparator.mismatch(expected, actual, DType.BF16, StepMode.LL);
    assertTrue(m != null && m.startsWith("rank 1 token 0 channel 3: got "), m);
  }

  @Test
  void tinyBf16DifferenceWithinDeepEpToleranceIsAccepted() {
    RunOptions o = WorkloadAndOptionsTest.options(2, 4, 8, RunOptions.Mode.auto);
    List<HiddenStates> expected = referenceOutputs(o, new SeededWorkload(o).step(0), StepMode.HT);
    List<HiddenStates> actual = copy(expected);
    HiddenStates h = actual.get(0);
    // One ulp of bf16 on one element of many: calc_diff is far below 5e-6.
    short bits = h.x().data().getShort(0);
    h.x().data().putShort(0, (short) (bits + 1));
    assertNull(OutputComparator.mismatch(expected, actual, DType.BF16, StepMode.HT));
    assertTrue(OutputComparator.mismatch(expected, actual, DType.FP32, StepMode.HT) != null, "fp32 must be exact");
  }

  @Test
  void wrongShapeOrRankCountIsAMismatch() {
    RunOptions o = WorkloadAndOptionsTest.options(2, 4, 8, RunOptions.Mode.auto);
    List<HiddenStates> expected = referenceOutputs(o, new SeededWorkload(o).step(0), StepMode.HT);
    assertEquals("expected outputs of 2 ranks, got 1", OutputComparator.mismatch(expected, expected.subList(0, 1), DType.BF16, StepMode.HT));
  }
}
