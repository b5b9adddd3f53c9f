package io.epruntime.coordinator;

import io.epruntime.coordinator.InFlightStep.Ended;
import io.epruntime.protocol.cluster.RunStep;
import io.epruntime.protocol.cluster.StepCompleted;
import io.epruntime.protocol.cluster.StepError;
import io.epruntime.protocol.ep.StepStatus;
import io.epruntime.protocol.ep.StepTrace;
import io.epruntime.rank.NodeMetrics;
import io.epruntime.protocol.cluster.StepFailedOnRank;
import io.epruntime.protocol.cluster.SubmitStep;
import io.epruntime.protocol.cluster.ToCoordinator;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.StepMode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The coordinator's step half: checks a submitted step's control part, gives it a global sequence
 * number, its index in the generation and its mode, records it as an {@link InFlightStep} with a
 * watchdog timer (key: its seq) and sends {@link RunStep} to every rank, naming the coordinator as
 * the ranks report to. The in-flight window is bounded: past
 * {@code ep.max-in-flight} a step is refused with {@code BACK_PRESSURE} at once, so memory never
 * grows with the offered load. Runs only inside the coordinator actor.
 */
final class StepSequencer {
  private final TimerScheduler<ToCoordinator> timers;
  private final NodeSettings settings;
  private final RankRegistry registry;
  private final StepDelivery delivery;
  private final NodeMetrics metrics;
  private final Map<Long, InFlightStep> inFlight = new HashMap<>();
  private long nextSeq;
  private long nextIndex;
  private long completed;

  StepSequencer(
      ActorContext<ToCoordinator> context, TimerScheduler<ToCoordinator> timers, NodeSettings settings, RankRegistry registry,
      StepDelivery delivery, NodeMetrics metrics) {
    this.timers = timers;
    this.metrics = metrics;
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
    long received = System.nanoTime();
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
      if (counts[r] > world.maxTokensPerRank()) {
        reject(s, generation, "tokensPerRank", "tokensPerRank[" + r + "] = " + counts[r]
            + " is more than the world's ep.max-tokens-per-rank = " + world.maxTokensPerRank());
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
      delivery.stepError(s.replyEndpoint(), new StepError(s.clientId(), s.requestId(), StepStatus.RETRIABLE, generation, null, worldStatus));
      return;
    }
    if (s.generation() != 0 && s.generation() != generation) {
      // The client sent the tensors by another generation's endpoints (a rank replaced since has
      // a new one): sequenced, the step would hold up every later one of this generation at the
      // ranks until the watchdog ended it. Refused, the client fetches the world and retries.
      delivery.stepError(s.replyEndpoint(), new StepError(s.clientId(), s.requestId(), StepStatus.RETRIABLE, generation, null,
          "the client's world view is generation " + s.generation() + " but the world is in generation " + generation));
      return;
    }
    if (inFlight.size() >= settings.maxInFlight()) {
      delivery.stepError(s.replyEndpoint(), new StepError(s.clientId(), s.requestId(), StepStatus.BACK_PRESSURE, generation, null,
          "the cluster has " + inFlight.size() + " steps in flight (ep.max-in-flight = " + settings.maxInFlight() + ")"));
      return;
    }
    long seq = nextSeq++;
    long index = nextIndex++;
    inFlight.put(seq, new InFlightStep(seq, generation, world.worldSize(), s.clientId(), s.requestId(), s.replyEndpoint(), delivery));
    // The step's watchdog: a rank that never answers ends the generation (Coordinator.onStepEnded).
    timers.startSingleTimer(seq, new Coordinator.StepTimedOut(seq), settings.stepTimeout());
    long sent = System.nanoTime();
    RunStep run = new RunStep(seq, generation, index, mode, Arrays.copyOf(counts, counts.length), s.kernel(), s.clientId(),
        s.requestId(), delivery.submitEndpoint(), new StepTrace(s.sentNanos(), received, sent, 0, 0, 0, 0, 0));
    delivery.runStep(registry.entries(), run);
    metrics.hop("sequencing", sent - received);
  }

  private void reject(SubmitStep s, long generation, String field, String message) {
    delivery.stepError(s.replyEndpoint(), new StepError(s.clientId(), s.requestId(), StepStatus.REJECTED, generation, field, field + ": " + message));
  }

  /**
   * A rank finished its part. Returns the step's end when that was its last rank, else null; late,
   * duplicate and other-generation reports are ignored.
   */
  Ended rankCompleted(StepCompleted c) {
    InFlightStep step = inFlight.get(c.seq());
    if (step == null || step.generation != c.generation() || !step.rankDone(c.rank())) {
      return null;
    }
    return end(step, StepStatus.OK, null);
  }

  /** A rank could not run its part: the step ends at once. Null when the step is not in flight. */
  Ended rankFailed(StepFailedOnRank f) {
    InFlightStep step = inFlight.get(f.seq());
    if (step == null || step.generation != f.generation()) {
      return null;
    }
    return end(step, f.status() == StepStatus.RETRIABLE ? StepStatus.RETRIABLE : f.status() == StepStatus.REJECTED ? StepStatus.REJECTED : StepStatus.FAILED, "rank " + f.rank() + ": " + f.error());
  }

  /** The step's watchdog fired. Null when the step ended meanwhile. */
  Ended timedOut(long seq) {
    InFlightStep step = inFlight.get(seq);
    if (step == null) {
      return null;
    }
    return end(step, StepStatus.TIMED_OUT,
        "step " + seq + " did not finish within the step time-out; ranks still running: " + step.stuck());
  }

  /** The generation ended: every in-flight step answers its client with a retriable error. */
  void abortAll(long generation, String reason) {
    String detail = "world generation " + generation + " ended: " + reason;
    for (InFlightStep step : inFlight.values()) {
      timers.cancel(step.seq);
      step.answer(StepStatus.RETRIABLE, detail);
    }
    inFlight.clear();
  }

  private Ended end(InFlightStep step, StepStatus outcome, String detail) {
    inFlight.remove(step.seq);
    timers.cancel(step.seq);
    if (outcome == StepStatus.OK) {
      completed++;
    }
    return step.answer(outcome, detail);
  }
}
