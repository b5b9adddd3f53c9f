package io.epruntime.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.cluster.RunStep;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.ep.StepTrace;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rank's ordering rule: strictly by index, both halves present, early arrivals wait. */
class StepQueueTest {

  private static RunStep step(long generation, long index, long requestId) {
    return new RunStep(100 + index, generation, index, StepMode.HT, new int[] {1}, ExpertKernelSpec.identity(), 7, requestId, "127.0.0.1:1", StepTrace.NONE);
  }

  private static StepInput input(long requestId) {
    return new StepInput(7, requestId, "127.0.0.1:1", HiddenStates.zeros(DType.BF16, 1, 8),
        new Routing(1, 1, new long[] {0}, new float[] {1f}));
  }

  @Test
  void stepsRunInIndexOrderWhateverOrderTheirHalvesArrive() {
    StepQueue q = new StepQueue(8);
    q.newGeneration(3);
    assertTrue(q.offer(step(3, 1, 11)));
    q.offer(input(11), 0);
    assertNull(q.pollReady(), "index 1 waits for index 0");
    q.offer(input(10), 1);
    assertNull(q.pollReady(), "index 0's RunStep is not here yet");
    assertTrue(q.offer(step(3, 0, 10)));
    assertEquals(0, q.pollReady().step().index());
    assertEquals(1, q.pollReady().step().index());
    assertNull(q.pollReady());
  }

  @Test
  void stepsOfAnotherGenerationOrAPastIndexAreRefused() {
    StepQueue q = new StepQueue(8);
    q.newGeneration(2);
    assertFalse(q.offer(step(1, 0, 1)), "older generation");
    assertTrue(q.offer(step(2, 0, 1)));
    assertFalse(q.offer(step(2, 0, 2)), "index 0 taken");
    q.offer(input(1), 0);
    q.pollReady();
    assertFalse(q.offer(step(2, 0, 3)), "index 0 already ran");
  }

  @Test
  void stepsBeyondTheWindowAreRefusedSoForgedIndicesCannotFillTheQueue() {
    StepQueue q = new StepQueue(4);
    q.newGeneration(1);
    for (long i = 1; i < 4; i++) {
      assertTrue(q.offer(step(1, i, i)), "index " + i + " lies inside the window");
    }
    assertFalse(q.offer(step(1, 4, 4)), "index 4 lies beyond the window of 4 from index 0");
    assertFalse(q.offer(step(1, 1_000_000, 5)));
    assertEquals(3, q.waitingSteps());
    assertTrue(q.offer(step(1, 0, 0)));
    q.offer(input(0), 0);
    q.pollReady();
    assertTrue(q.offer(step(1, 4, 4)), "the window moved on with index 0");
  }

  @Test
  void aNewGenerationHandsBackTheQueuedStepsAndRestartsAtIndexZero() {
    StepQueue q = new StepQueue(8);
    q.newGeneration(1);
    RunStep a = step(1, 0, 1);
    RunStep b = step(1, 1, 2);
    q.offer(a);
    q.offer(b);
    List<RunStep> dropped = q.newGeneration(2);
    assertEquals(List.of(a, b), dropped);
    assertTrue(q.offer(step(2, 0, 5)));
    assertEquals(0, q.waitingSteps() - 1);
  }

  @Test
  void inputBufferIsBoundedAndEvictsTheOldest() {
    StepQueue q = new StepQueue(2);
    StepInput first = input(1);
    q.offer(first, 10);
    q.offer(input(2), 20);
    assertSame(first, q.offer(input(3), 30));
    assertEquals(2, q.waitingInputs());
    assertEquals(1, q.expireInputs(1_000, 975).size(), "only the input from t=20 is older than the ttl");
  }
}
