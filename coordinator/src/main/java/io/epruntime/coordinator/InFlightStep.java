package io.epruntime.coordinator;

import io.epruntime.protocol.cluster.StepError;
import io.epruntime.protocol.ep.StepStatus;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Fan-in of one step over all ranks: the ranks that still owe an answer and whom to answer, once,
 * when the step does not complete. Plain state in {@link StepSequencer}'s in-flight map, touched only
 * by the coordinator actor, because spawning an actor per step cost tens of microseconds on every step's
 * critical path.
 */
final class InFlightStep {

  /** A step that is over, for the coordinator to act on; {@code stuckRanks} never answered. */
  record Ended(long seq, long generation, StepStatus outcome, String detail, List<Integer> stuckRanks) {}

  final long seq;
  final long generation;
  private final long clientId;
  private final long requestId;
  private final String clientEndpoint;
  private final StepDelivery delivery;
  private final BitSet waiting;

  InFlightStep(long seq, long generation, int worldSize, long clientId, long requestId, String clientEndpoint,
      StepDelivery delivery) {
    this.seq = seq;
    this.generation = generation;
    this.clientId = clientId;
    this.requestId = requestId;
    this.clientEndpoint = clientEndpoint;
    this.delivery = delivery;
    this.waiting = new BitSet(worldSize);
    waiting.set(0, worldSize);
  }

  /** Marks {@code rank} done; returns true when that was the last rank (duplicates count nothing). */
  boolean rankDone(int rank) {
    if (rank < 0 || !waiting.get(rank)) {
      return false;
    }
    waiting.clear(rank);
    return waiting.isEmpty();
  }

  /** The ranks still running, ascending. */
  List<Integer> stuck() {
    List<Integer> ranks = new ArrayList<>(waiting.cardinality());
    waiting.stream().forEach(ranks::add);
    return ranks;
  }

  /** Gives the client its one answer when the step did not complete (a completed step's answer is the ranks' outputs). */
  Ended answer(StepStatus outcome, String detail) {
    switch (outcome) {
      case OK -> { } // the client has its answer already: every rank's output, straight from the rank
      case REJECTED -> delivery.stepError(clientEndpoint, new StepError(clientId, requestId, outcome, generation, "x", detail));
      default -> delivery.stepError(clientEndpoint, new StepError(clientId, requestId, outcome, generation, null, detail));
    }
    return new Ended(seq, generation, outcome, detail, stuck());
  }
}
