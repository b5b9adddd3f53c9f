package io.epruntime.rank;

import io.epruntime.protocol.cluster.RunStep;
import io.epruntime.rank.StepInput.StepKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rank's ordering rule, kept apart from the actor so it can be tested alone: steps of one
 * generation run strictly by their index, and a step runs only when both its {@link RunStep} (from
 * the coordinator) and its {@link StepInput} (from the client) are here, whichever came first.
 * Early arrivals wait, bounded both ways: steps more than {@code window} indices ahead of the next
 * one to run are refused (the coordinator's in-flight window keeps real ones far closer), and at
 * most {@code window} tensors nobody sequenced are kept.
 */
final class StepQueue {
  private final int window;
  private final TreeMap<Long, RunStep> steps = new TreeMap<>();
  private final Map<StepKey, StepInput> inputs = new HashMap<>();
  private final Map<StepKey, Long> inputArrival = new HashMap<>();
  private long generation;
  private long nextIndex;

  StepQueue(int window) {
    this.window = window;
  }

  long generation() {
    return generation;
  }

  /**
   * Starts a new generation at index 0 and returns the steps of older ones that will never run
   * (their inputs stay, since a retry reuses nothing but the client may still be waiting).
   */
  List<RunStep> newGeneration(long g) {
    List<RunStep> dropped = new ArrayList<>(steps.values());
    steps.clear();
    generation = g;
    nextIndex = 0;
    return dropped;
  }

  /**
   * Keeps a step; false when it belongs to another generation, its index has already passed or is
   * taken, or it lies beyond the window.
   */
  boolean offer(RunStep step) {
    if (step.generation() != generation || step.index() < nextIndex || step.index() >= nextIndex + window
        || steps.containsKey(step.index())) {
      return false;
    }
    steps.put(step.index(), step);
    return true;
  }

  /** Keeps a client's tensors; when full, the oldest unsequenced input is evicted and returned. */
  StepInput offer(StepInput input, long nowNanos) {
    StepInput evicted = null;
    if (inputs.size() >= window && !inputs.containsKey(input.key())) {
      StepKey oldest = null;
      long oldestAt = Long.MAX_VALUE;
      for (Map.Entry<StepKey, Long> e : inputArrival.entrySet()) {
        if (e.getValue() < oldestAt) {
          oldestAt = e.getValue();
          oldest = e.getKey();
        }
      }
      evicted = inputs.remove(oldest);
      inputArrival.remove(oldest);
    }
    inputs.put(input.key(), input);
    inputArrival.put(input.key(), nowNanos);
    return evicted;
  }

  /** The next step in order if both halves are here; removes both. */
  Ready pollReady() {
    RunStep step = steps.get(nextIndex);
    if (step == null) {
      return null;
    }
    StepKey key = new StepKey(step.clientId(), step.requestId());
    StepInput input = inputs.remove(key);
    if (input == null) {
      return null;
    }
    inputArrival.remove(key);
    steps.remove(nextIndex);
    nextIndex++;
    return new Ready(step, input);
  }

  /** The next step in order when its {@link RunStep} is here but the client's tensors are not; else null. */
  RunStep nextWithoutInput() {
    RunStep step = steps.get(nextIndex);
    return step == null || inputs.containsKey(new StepKey(step.clientId(), step.requestId())) ? null : step;
  }

  /** Takes the next step without its tensors, which did not come in time; the order moves on. */
  RunStep skipInput() {
    RunStep step = steps.remove(nextIndex);
    nextIndex++;
    return step;
  }

  /** Takes (and forgets) the input of a step that will not run, if it is here. */
  StepInput takeInput(RunStep step) {
    StepKey key = new StepKey(step.clientId(), step.requestId());
    inputArrival.remove(key);
    return inputs.remove(key);
  }

  /** Forgets inputs that waited longer than {@code ttlNanos} for their step; returns them. */
  List<StepInput> expireInputs(long nowNanos, long ttlNanos) {
    List<StepInput> expired = new ArrayList<>();
    Iterator<Map.Entry<StepKey, Long>> it = inputArrival.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<StepKey, Long> e = it.next();
      if (nowNanos - e.getValue() > ttlNanos) {
        expired.add(inputs.remove(e.getKey()));
        it.remove();
      }
    }
    return expired;
  }

  int waitingSteps() {
    return steps.size();
  }

  int waitingInputs() {
    return inputs.size();
  }

  /** A step with its tensors, ready to run. */
  record Ready(RunStep step, StepInput input) {}
}
