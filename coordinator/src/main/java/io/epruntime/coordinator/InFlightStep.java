package io.epruntime.coordinator;

import io.epruntime.protocol.cluster.StepError;
import io.epruntime.protocol.ep.StepStatus;
import io.epruntime.protocol.cluster.ToClient;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Fan-in of one step over all ranks: the ranks that still owe an answer and whom to answer, once,
 * when the step does not complete. Plain state in {@link StepSequencer}'s in-flight map, touched only by the
 * coordinator actor, because spawning an actor per step cost tens of microseconds on every step's
 * critical path.
 */
final class InFlightStep {

  /** A step that is over, for the coordinator to act on; {@code stuckRanks} never answered. */
  record Ended(long seq, long generation, StepStatus outcome, String detail, List<Integer> stuckRanks) {}

  final long seq;
  final long generation;
  private final long requestId;
  private final ActorRef<ToClient> client;
  private final BitSet waiting;

  InFlightStep(long seq, long generation, int worldSize, long requestId, ActorRef<ToClient> client) {
    this.seq = seq;
    this.generation = generation;
    this.requestId = requestId;
    this.client = client;
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
      case REJECTED -> client.tell(new StepError(requestId, StepStatus.REJECTED, generation, "x", detail));
      default -> client.tell(new StepError(requestId, outcome, generation, null, detail));
    }
    return new Ended(seq, generation, outcome, detail, stuck());
  }
}
