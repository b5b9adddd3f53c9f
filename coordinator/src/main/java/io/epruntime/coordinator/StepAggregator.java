package io.epruntime.coordinator;

import io.epruntime.protocol.cluster.StepCompleted;
import io.epruntime.protocol.cluster.StepDone;
import io.epruntime.protocol.cluster.StepError;
import io.epruntime.protocol.cluster.StepFailedOnRank;
import io.epruntime.protocol.cluster.ToAggregator;
import io.epruntime.protocol.cluster.ToClient;
import io.epruntime.protocol.ep.StepMode;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Fan-in of one step over all ranks (Pekko's DeviceGroupQuery shape): a still-waiting set, one
 * deadline (the per-step watchdog), one reply to the client, one report to the coordinator, stop.
 */
final class StepAggregator extends AbstractBehavior<ToAggregator> {

  /** Messages from the coordinator and its own timer. */
  sealed interface Internal extends ToAggregator, NoSerializationVerificationNeeded {}

  /** The generation ended: answer the client with a retriable error. */
  record Abort(long generation, String reason) implements Internal {}

  private enum Deadline implements Internal {
    INSTANCE
  }

  /** What the coordinator learns when the step is over. */
  record Finished(long seq, long generation, Outcome outcome, String detail, List<Integer> stuckRanks, long dispatchBytes,
      long combineBytes, long latencyNanos) implements Coordinator.Internal {}

  /** How a step ended. */
  enum Outcome {
    OK, RETRIABLE, REJECTED, TIMED_OUT
  }

  private final ActorContext<ToAggregator> context;
  private final long seq;
  private final long generation;
  private final long requestId;
  private final StepMode mode;
  private final ActorRef<ToClient> client;
  private final ActorRef<Coordinator.Internal> coordinator;
  private final TreeSet<Integer> waiting = new TreeSet<>();
  private final long startNanos = System.nanoTime();
  private long dispatchBytes;
  private long combineBytes;

  static Behavior<ToAggregator> create(
      long seq, long generation, int worldSize, long requestId, StepMode mode, ActorRef<ToClient> client,
      ActorRef<Coordinator.Internal> coordinator, Duration timeout) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(Deadline.INSTANCE, timeout);
      return new StepAggregator(ctx, seq, generation, worldSize, requestId, mode, client, coordinator);
    }));
  }

  private StepAggregator(
      ActorContext<ToAggregator> context, long seq, long generation, int worldSize, long requestId, StepMode mode,
      ActorRef<ToClient> client, ActorRef<Coordinator.Internal> coordinator) {
    super(context);
    this.context = context;
    this.seq = seq;
    this.generation = generation;
    this.requestId = requestId;
    this.mode = mode;
    this.client = client;
    this.coordinator = coordinator;
    for (int r = 0; r < worldSize; r++) {
      waiting.add(r);
    }
  }

  @Override
  public Receive<ToAggregator> createReceive() {
    return newReceiveBuilder()
        .onMessage(StepCompleted.class, this::onCompleted)
        .onMessage(StepFailedOnRank.class, this::onFailed)
        .onMessage(Abort.class, a -> finish(Outcome.RETRIABLE, "world generation " + a.generation() + " ended: " + a.reason()))
        .onMessageEquals(Deadline.INSTANCE, () -> finish(Outcome.TIMED_OUT,
            "step " + seq + " did not finish within the step time-out; ranks still running: " + waiting))
        .build();
  }

  private Behavior<ToAggregator> onCompleted(StepCompleted c) {
    if (c.seq() != seq || c.generation() != generation || !waiting.remove(c.rank())) {
      return this;
    }
    dispatchBytes += c.dispatchBytes();
    combineBytes += c.combineBytes();
    return waiting.isEmpty() ? finish(Outcome.OK, null) : this;
  }

  private Behavior<ToAggregator> onFailed(StepFailedOnRank f) {
    if (f.seq() != seq || f.generation() != generation) {
      return this;
    }
    return finish(f.worldAborted() ? Outcome.RETRIABLE : Outcome.REJECTED, "rank " + f.rank() + ": " + f.error());
  }

  private Behavior<ToAggregator> finish(Outcome outcome, String detail) {
    long latency = System.nanoTime() - startNanos;
    switch (outcome) {
      case OK -> client.tell(new StepDone(requestId, seq, generation, mode, dispatchBytes, combineBytes));
      case REJECTED -> client.tell(new StepError(requestId, StepError.Kind.REJECTED, generation, "x", detail));
      default -> client.tell(new StepError(requestId, StepError.Kind.RETRIABLE, generation, null, detail));
    }
    coordinator.tell(new Finished(seq, generation, outcome, detail, List.copyOf(waiting), dispatchBytes, combineBytes, latency));
    return Behaviors.stopped();
  }
}
