package io.epruntime.coordinator;

import io.epruntime.protocol.cluster.RunStep;
import io.epruntime.protocol.cluster.StepError;
import io.epruntime.protocol.cluster.SubmitStep;
import io.epruntime.protocol.cluster.ToAggregator;
import io.epruntime.protocol.cluster.ToCoordinator;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.StepMode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The coordinator's step half: checks a submitted step's control part, gives it a global sequence
 * number, its index in the generation and its mode, spawns its aggregator and sends {@link RunStep}
 * to every rank. The in-flight window is bounded: past {@code ep.max-in-flight} a step is refused
 * with {@code BACK_PRESSURE} at once, so memory never grows with the offered load.
 */
final class StepSequencer {
  private final ActorContext<ToCoordinator> context;
  private final NodeSettings settings;
  private final RankRegistry registry;
  private final StepDelivery delivery;
  private final Map<Long, ActorRef<ToAggregator>> inFlight = new HashMap<>();
  private long nextSeq;
  private long nextIndex;
  private long completed;

  StepSequencer(ActorContext<ToCoordinator> context, NodeSettings settings, RankRegistry registry, StepDelivery delivery) {
    this.context = context;
    this.delivery = delivery;
    this.settings = settings;
    this.registry = registry;
  }

  /** Sequence numbers stay increasing across coordinators: start after the highest any rank has run. */
  void observeSeq(long lastSeq) {
    nextSeq = Math.max(nextSeq, lastSeq + 1);
  }

  void newGeneration(long generation) {
    nextIndex = 0;
  }

  int inFlight() {
    return inFlight.size();
  }

  long completed() {
    return completed;
  }

  void submit(SubmitStep s, boolean ready, long generation, String worldStatus) {
    EpConfig world = settings.world();
    int[] counts = s.tokensPerRank();
    if (counts == null || counts.length != world.worldSize()) {
      reject(s, generation, "tokensPerRank", "tokensPerRank has " + (counts == null ? "no" : counts.length)
          + " entries but ep.world-size = " + world.worldSize());
      return;
    }
    int max = 0;
    for (int r = 0; r < counts.length; r++) {
      if (counts[r] < 0) {
        reject(s, generation, "tokensPerRank", "tokensPerRank[" + r + "] = " + counts[r] + " must be >= 0");
        return;
      }
      max = Math.max(max, counts[r]);
    }
    if (s.kernel() == null) {
      reject(s, generation, "kernel", "kernel is required; allowed: identity, scale, swiglu");
      return;
    }
    StepMode mode = s.requestedMode() == null ? StepMode.choose(world, counts) : s.requestedMode();
    if (mode == StepMode.LL && !world.lowLatencyFits(max)) {
      reject(s, generation, "mode", "mode = LL needs every rank's token count <= ep.ll-max-tokens-per-rank = "
          + world.llMaxTokensPerRank() + ", but the largest is " + max);
      return;
    }
    if (!ready) {
      s.replyTo().tell(new StepError(s.requestId(), StepError.Kind.RETRIABLE, generation, null, worldStatus));
      return;
    }
    if (inFlight.size() >= settings.maxInFlight()) {
      s.replyTo().tell(new StepError(s.requestId(), StepError.Kind.BACK_PRESSURE, generation, null,
          "the cluster has " + inFlight.size() + " steps in flight (ep.max-in-flight = " + settings.maxInFlight() + ")"));
      return;
    }
    long seq = nextSeq++;
    long index = nextIndex++;
    ActorRef<ToAggregator> aggregator = context.spawn(
        StepAggregator.create(seq, generation, world.worldSize(), s.requestId(), mode, s.replyTo(),
            context.getSelf().narrow(), settings.stepTimeout()),
        "step-" + seq);
    inFlight.put(seq, aggregator);
    RunStep run = new RunStep(seq, generation, index, mode, Arrays.copyOf(counts, counts.length), s.kernel(), s.clientId(),
        s.requestId(), aggregator);
    delivery.runStep(registry.entries(), run);
  }

  private void reject(SubmitStep s, long generation, String field, String message) {
    s.replyTo().tell(new StepError(s.requestId(), StepError.Kind.REJECTED, generation, field, field + ": " + message));
  }

  void finished(StepAggregator.Finished f) {
    if (inFlight.remove(f.seq()) != null && f.outcome() == StepAggregator.Outcome.OK) {
      completed++;
    }
  }

  /** The generation ended: every in-flight step answers its client with a retriable error. */
  void abortAll(long generation, String reason) {
    for (ActorRef<ToAggregator> a : inFlight.values()) {
      a.tell(new StepAggregator.Abort(generation, reason));
    }
  }
}
