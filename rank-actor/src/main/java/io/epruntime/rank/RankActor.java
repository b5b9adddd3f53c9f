package io.epruntime.rank;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.cluster.BootstrapAck;
import io.epruntime.protocol.cluster.EndGeneration;
import io.epruntime.protocol.actor.NewUniqueId;
import io.epruntime.protocol.actor.Probe;
import io.epruntime.protocol.cluster.RankHealth;
import io.epruntime.protocol.actor.RankHello;
import io.epruntime.protocol.cluster.RankRejected;
import io.epruntime.protocol.cluster.RunStep;
import io.epruntime.protocol.cluster.StepCompleted;
import io.epruntime.protocol.cluster.StepFailedOnRank;
import io.epruntime.protocol.cluster.ToCoordinator;
import io.epruntime.protocol.cluster.ToRank;
import io.epruntime.protocol.cluster.UniqueIdReply;
import io.epruntime.protocol.cluster.WorldReady;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.ep.StepStatus;
import io.epruntime.protocol.ep.StepTrace;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.wire.BootstrapRecord;
import io.epruntime.protocol.wire.StepOutputFrame;
import io.epruntime.rank.backend.EpBackend;
import io.epruntime.rank.backend.StepOutcome;
import io.epruntime.rank.backend.StepSpec;
import io.epruntime.rank.backend.WorldAbortedException;
import io.epruntime.rank.backend.WorldSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * One rank: joins each generation's world through its {@link EpBackend}, runs steps strictly in
 * their generation's order once the coordinator's {@link RunStep} and the client's tensors are both
 * here, sends its output to the client (over Aeron, through {@link RankIo}, straight from the thread
 * that completed the step) and reports the step's end to the coordinator. Every backend
 * completion comes back as a message ({@code pipeToSelf}); nothing here waits or polls. Runs on the rank dispatcher, never on the default one.
 *
 * <p>One behavior per state of its world: {@link #idle()} has none, {@link #joining()} alone takes
 * its backend's join result, {@link #ready()} (joined: its JOIN acknowledged) alone runs steps, maps
 * peer windows and hears that the world is Ready; what every state takes is in {@link #common()}.
 */
public final class RankActor {

  /** Every rank actor registers under this key; the coordinator finds ranks through it. */
  public static final ServiceKey<ToRank> SERVICE_KEY = ServiceKey.create(ToRank.class, "ep-rank");

  /** Messages from inside the node (transport callbacks, completions); never sent across nodes. */
  public sealed interface Internal extends ToRank, NoSerializationVerificationNeeded {}

  /** A bootstrap record arrived over Aeron (duplicates possible; de-duplicated by generation and phase). */
  public record BootstrapArrived(long generation, int worldSize, int rank, BootstrapRecord.Phase phase, byte[] uniqueId,
      List<String> dataEndpoints, List<byte[]> peerWindows) implements Internal {}

  /** A client's tensors for one step arrived over Aeron. */
  public record InputArrived(StepInput input) implements Internal {}

  /** {@code step}'s turn came {@code ep.input-deadline} ago and its tensors had not arrived. */
  private record InputLate(RunStep step) implements Internal {}

  private static final String INPUT_TIMER = "input-deadline";

  private record JoinFinished(long generation, byte[] window, Throwable error) implements Internal {}

  private record PeersConnected(long generation, Throwable error) implements Internal {}

  /** @param refusal why this rank refused the step's input (it ran with a stand-in), else null */
  private record StepFinished(RunStep step, StepInput input, StepOutcome outcome, Throwable error, long startNanos,
      String refusal) implements Internal {}

  private final ActorContext<ToRank> context;
  private final TimerScheduler<ToRank> timers;
  private final RankSettings settings;
  private final EpBackend backend;
  private final RankIo io;
  private final ActorRef<ToCoordinator> coordinator;
  private final RankStatusBoard board;
  private final NodeMetrics metrics;
  private final StepQueue queue;
  private long joiningGeneration;
  private long joinedGeneration;
  /** The window this rank answered phase JOIN of {@link #joinedGeneration} with (re-sent on duplicates). */
  private byte[] joinedWindow = new byte[0];
  private long connectingGeneration;
  private long connectedGeneration;
  private RunStep running;
  private String rejection;
  /** Held while steps are queued or running, so the transport never deep-parks under a step. */
  private AutoCloseable awake;

  public static Behavior<ToRank> create(
      RankSettings settings, EpBackend backend, RankIo io, ActorRef<ToCoordinator> coordinator, RankStatusBoard board,
      NodeMetrics metrics) {
    return Behaviors.withTimers(timers -> Behaviors.setup(
        ctx -> new RankActor(ctx, timers, settings, backend, io, coordinator, board, metrics).idle()));
  }

  private RankActor(
      ActorContext<ToRank> context, TimerScheduler<ToRank> timers, RankSettings settings, EpBackend backend, RankIo io,
      ActorRef<ToCoordinator> coordinator, RankStatusBoard board, NodeMetrics metrics) {
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.backend = backend;
    this.io = io;
    this.coordinator = coordinator;
    this.board = board;
    this.metrics = metrics;
    this.queue = new StepQueue(Math.max(64, settings.maxInFlight() * 4));
    context.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, context.getSelf()));
    coordinator.tell(hello(0));
    context.getLog().info("rank {} up: backend {}, Aeron endpoint {}", settings.rank(), backend.kind(), settings.aeronEndpoint());
  }

  /** No world: steps are refused as retriable until a bootstrap starts a join. */
  private Behavior<ToRank> idle() {
    return common().onMessage(RunStep.class, this::refuseStep).build();
  }

  /** The backend is joining {@link #joiningGeneration}: only its result moves the rank on. */
  private Behavior<ToRank> joining() {
    return common()
        .onMessage(JoinFinished.class, this::onJoinFinished)
        .onMessage(RunStep.class, this::refuseStep)
        .build();
  }

  /** Joined {@link #joinedGeneration} (its JOIN acknowledged): peer windows, the world's Ready, steps. */
  private Behavior<ToRank> ready() {
    return common()
        .onMessage(PeersConnected.class, this::onPeersConnected)
        .onMessage(WorldReady.class, this::onWorldReady)
        .onMessage(RunStep.class, this::onRunStep)
        .build();
  }

  /** What every state takes: probes, bootstraps, the end of a generation, clients' tensors, steps finishing. */
  private BehaviorBuilder<ToRank> common() {
    return Behaviors.receive(ToRank.class)
        .onMessage(Probe.class, this::onProbe)
        .onMessage(RankRejected.class, this::onRejected)
        .onMessage(NewUniqueId.class, this::onNewUniqueId)
        .onMessage(BootstrapArrived.class, this::onBootstrap)
        .onMessage(EndGeneration.class, this::onEndGeneration)
        .onMessage(InputArrived.class, this::onInput)
        .onMessage(StepFinished.class, this::onStepFinished)
        .onMessage(InputLate.class, this::onInputLate)
        .onSignal(PostStop.class, s -> onStop());
  }

  private RankHello hello(long nonce) {
    RankStatusBoard.Health h = rejection != null ? new RankStatusBoard.Health(RankHealth.REJECTED, rejection) : board.health();
    return new RankHello(
        settings.rank(), context.getSelf(), settings.aeronEndpoint(), settings.config(), backend.kind(), joinedGeneration,
        board.lastSeq(), h.state(), h.detail(), nonce);
  }

  private Behavior<ToRank> onProbe(Probe p) {
    p.replyTo().tell(hello(p.nonce()));
    for (StepInput stale : queue.expireInputs(System.nanoTime(), settings.stepTimeout().toNanos() * 2)) {
      context.getLog().warn("dropping tensors of client {} request {}: no step was sequenced for them", stale.clientId(), stale.requestId());
    }
    return Behaviors.same();
  }

  private Behavior<ToRank> onRejected(RankRejected r) {
    if (!r.reason().equals(rejection)) {
      context.getLog().error("coordinator refused rank {}: {}", r.rank(), r.reason()); // once, not every probe
    }
    rejection = r.reason();
    return Behaviors.same();
  }

  private Behavior<ToRank> onNewUniqueId(NewUniqueId m) {
    try {
      m.replyTo().tell(new UniqueIdReply(m.generation(), backend.newUniqueId(), null));
    } catch (RuntimeException e) {
      m.replyTo().tell(new UniqueIdReply(m.generation(), new byte[0], String.valueOf(e.getMessage())));
    }
    return Behaviors.same();
  }

  private Behavior<ToRank> onBootstrap(BootstrapArrived b) {
    if (b.phase() == BootstrapRecord.Phase.PEERS) {
      return onPeers(b);
    }
    if (b.generation() <= joinedGeneration || b.generation() == joiningGeneration) {
      if (b.generation() == joinedGeneration) {
        // the ack may have been lost
        coordinator.tell(new BootstrapAck(b.generation(), settings.rank(), BootstrapRecord.Phase.JOIN, null, joinedWindow));
      }
      return Behaviors.same();
    }
    if (b.rank() != settings.rank() || b.worldSize() != settings.config().worldSize()) {
      String why = "bootstrap for rank " + b.rank() + " of " + b.worldSize() + " reached rank " + settings.rank()
          + " configured with ep.world-size = " + settings.config().worldSize();
      context.getLog().error(why);
      coordinator.tell(BootstrapAck.joined(b.generation(), settings.rank(), why));
      return Behaviors.same();
    }
    failQueued(queue.newGeneration(b.generation()), "generation " + b.generation() + " replaced it");
    running = null;
    holdTransportWhileBusy();
    joiningGeneration = b.generation();
    board.health(RankHealth.JOINING);
    board.readyGeneration(0);
    EpConfig config = settings.config();
    WorldSpec spec = new WorldSpec(b.generation(), settings.rank(), config, b.uniqueId(), b.dataEndpoints());
    context.getLog().info("rank {} joining generation {}", settings.rank(), b.generation());
    context.pipeToSelf(backend.joinWorld(spec), (window, err) -> new JoinFinished(b.generation(), window, err));
    return joining();
  }

  /** Phase two: every rank's peer window; the backend maps them, then this rank can take steps. */
  private Behavior<ToRank> onPeers(BootstrapArrived b) {
    if (b.generation() != joinedGeneration || b.generation() == connectingGeneration) {
      return Behaviors.same(); // not joined (yet, or any more), or already connecting: the coordinator re-sends
    }
    if (b.generation() == connectedGeneration) {
      coordinator.tell(new BootstrapAck(b.generation(), settings.rank(), BootstrapRecord.Phase.PEERS, null, null));
      return Behaviors.same();
    }
    connectingGeneration = b.generation();
    board.health(RankHealth.JOINING);
    context.getLog().info("rank {} connecting to its peers' windows for generation {}", settings.rank(), b.generation());
    context.pipeToSelf(backend.connectPeers(b.generation(), b.peerWindows()), (ok, err) -> new PeersConnected(b.generation(), err));
    return Behaviors.same();
  }

  private Behavior<ToRank> onPeersConnected(PeersConnected p) {
    if (p.generation() != connectingGeneration) {
      return Behaviors.same();
    }
    connectingGeneration = 0;
    if (p.error() != null) {
      String why = "connecting to the peers of generation " + p.generation() + " failed: " + rootMessage(p.error());
      context.getLog().error(why);
      board.health(RankHealth.FAILED, why);
      coordinator.tell(new BootstrapAck(p.generation(), settings.rank(), BootstrapRecord.Phase.PEERS, why, null));
      return Behaviors.same();
    }
    connectedGeneration = p.generation();
    board.health(RankHealth.JOINED);
    coordinator.tell(new BootstrapAck(p.generation(), settings.rank(), BootstrapRecord.Phase.PEERS, null, null));
    return Behaviors.same();
  }

  private Behavior<ToRank> onJoinFinished(JoinFinished j) {
    if (j.generation() != joiningGeneration) {
      return Behaviors.same(); // superseded by a newer bootstrap while joining
    }
    joiningGeneration = 0;
    if (j.error() != null) {
      String why = "joining generation " + j.generation() + " failed: " + rootMessage(j.error());
      context.getLog().error(why);
      board.health(RankHealth.FAILED, why);
      coordinator.tell(BootstrapAck.joined(j.generation(), settings.rank(), why));
      return idle();
    }
    joinedGeneration = j.generation();
    joinedWindow = j.window() == null ? new byte[0] : j.window();
    board.joinedGeneration(joinedGeneration);
    board.health(RankHealth.JOINED);
    metrics.generation(joinedGeneration);
    coordinator.tell(new BootstrapAck(j.generation(), settings.rank(), BootstrapRecord.Phase.JOIN, null, joinedWindow));
    return ready();
  }

  private Behavior<ToRank> onWorldReady(WorldReady w) {
    if (w.generation() == joinedGeneration) {
      board.readyGeneration(w.generation());
      board.health(RankHealth.READY);
      metrics.rankHealth(settings.rank(), true);
      context.getLog().info("rank {}: generation {} is Ready", settings.rank(), w.generation());
    }
    return Behaviors.same();
  }

  private Behavior<ToRank> onEndGeneration(EndGeneration e) {
    if (e.generation() < Math.max(joinedGeneration, joiningGeneration)) {
      return Behaviors.same(); // a newer generation is already joining or joined: this end came late
    }
    joiningGeneration = 0;
    connectingGeneration = 0;
    context.getLog().warn("rank {}: generation {} ended: {}", settings.rank(), e.generation(), e.reason());
    backend.abortWorld(e.reason());
    failQueued(queue.newGeneration(0), "generation " + e.generation() + " ended: " + e.reason());
    running = null;
    holdTransportWhileBusy();
    board.readyGeneration(0);
    board.health(RankHealth.IDLE);
    metrics.rankHealth(settings.rank(), false);
    return idle();
  }

  private Behavior<ToRank> onRunStep(RunStep received) {
    RunStep step = received.receivedAt(System.nanoTime());
    io.expectTraffic();
    if (step.generation() != joinedGeneration || !queue.offer(step)) {
      String why = "step " + step.seq() + " of generation " + step.generation() + " reached rank " + settings.rank()
          + " in generation " + joinedGeneration;
      failStep(step, queue.takeInput(step), StepStatus.RETRIABLE, why);
      return Behaviors.same();
    }
    return runNext();
  }

  /** A step outside a joined world: retriable, since the next world will run it. */
  private Behavior<ToRank> refuseStep(RunStep step) {
    String why = "step " + step.seq() + " of generation " + step.generation() + " reached rank " + settings.rank()
        + " while it is not joined to a world (last joined: generation " + joinedGeneration + ")";
    failStep(step, queue.takeInput(step), StepStatus.RETRIABLE, why);
    return Behaviors.same();
  }

  private Behavior<ToRank> onInput(InputArrived in) {
    StepInput evicted = queue.offer(in.input(), System.nanoTime());
    if (evicted != null) {
      context.getLog().warn("input buffer full: dropped tensors of client {} request {}", evicted.clientId(), evicted.requestId());
    }
    return runNext();
  }

  private Behavior<ToRank> runNext() {
    startNext();
    holdTransportWhileBusy();
    return Behaviors.same();
  }

  private void holdTransportWhileBusy() {
    boolean busy = running != null || queue.waitingSteps() > 0;
    if (busy && awake == null) {
      awake = io.holdAwake();
    } else if (!busy && awake != null) {
      releaseAwake();
    }
  }

  private void releaseAwake() {
    try {
      awake.close();
    } catch (Exception e) {
      context.getLog().warn("releasing the transport hold failed", e);
    }
    awake = null;
  }

  private void startNext() {
    if (running != null) {
      return;
    }
    StepQueue.Ready next = queue.pollReady();
    if (next == null) {
      RunStep waiting = queue.nextWithoutInput();
      if (waiting != null && !timers.isTimerActive(INPUT_TIMER)) {
        timers.startSingleTimer(INPUT_TIMER, new InputLate(waiting), settings.inputDeadline());
      }
      return;
    }
    timers.cancel(INPUT_TIMER);
    RunStep step = next.step();
    StepInput input = next.input();
    int expected = step.tokensPerRank()[settings.rank()];
    try {
      settings.config().validate(input.x(), input.routing());
      EpArgumentException.require(input.x().tokens() == expected, "x.tokens", input.x().tokens(),
          "the step's count for rank " + settings.rank() + ", " + expected);
    } catch (EpArgumentException bad) {
      // Refused input fails only its step: this rank still takes its part of the collective with
      // no tokens routed anywhere, so its peers finish the step and the generation goes on.
      run(step, input, standIn(step, expected), bad.getMessage());
      return;
    }
    run(step, input, input, null);
  }

  /** The tensors of the step whose turn it is did not come in time: it runs with an empty part, REJECTED. */
  private Behavior<ToRank> onInputLate(InputLate late) {
    RunStep step = queue.nextWithoutInput();
    if (running == null && step != null && step.seq() == late.step().seq() && step.generation() == late.step().generation()) {
      queue.skipInput();
      String why = "x: the client's tensors for rank " + settings.rank() + " did not arrive within ep.input-deadline = "
          + settings.inputDeadline().toMillis() + " ms of the step's turn";
      context.getLog().warn("step {}: {}", step.seq(), why);
      run(step, null, standIn(step, step.tokensPerRank()[settings.rank()]), why);
      holdTransportWhileBusy();
    }
    return Behaviors.same();
  }

  /**
   * Runs {@code step} with {@code run}; {@code input} is what the client sent (null when nothing
   * came), {@code refusal} why {@code run} is a stand-in for it (null when it is the input itself).
   */
  private void run(RunStep step, StepInput input, StepInput run, String refusal) {
    running = step;
    board.health(RankHealth.RUNNING);
    long start = System.nanoTime();
    StepSpec spec = new StepSpec(step.seq(), step.generation(), step.mode(), step.tokensPerRank(), step.kernel());
    CompletionStage<StepOutcome> done = backend.runStep(spec, run.x(), run.routing());
    if (refusal == null) {
      // The outputs leave for the client from the thread that finished the step rather than after a
      // hop through this actor's mailbox: one thread wake-up less on every step's critical path. The
      // actor still hears of it (StepFinished) to report to the coordinator and start the next step.
      done.thenAccept(out -> {
        StepTrace trace = step.trace().atRank(step.trace().rankReceived(), start, System.nanoTime(), out.dispatchNanos(),
            out.combineNanos());
        io.sendOutput(input.replyEndpoint(), StepOutputFrame.ok(step.clientId(), step.requestId(), settings.rank(), step.seq(),
            step.generation(), step.mode(), out.dispatchBytes(), out.combineBytes(), out.combined(), trace));
        metrics.rankHops(trace);
      });
    }
    context.pipeToSelf(done, (out, err) -> new StepFinished(step, input, out, err, start, refusal));
  }

  /** {@code tokens} rows of zeros with every top-k slot masked: a part in the collective that routes nothing. */
  private StepInput standIn(RunStep step, int tokens) {
    EpConfig c = settings.config();
    long[] idx = new long[tokens * c.topk()];
    java.util.Arrays.fill(idx, -1L);
    return new StepInput(step.clientId(), step.requestId(), "", HiddenStates.zeros(c.dtype(), tokens, c.hidden()),
        new Routing(tokens, c.topk(), idx, new float[idx.length]));
  }

  private Behavior<ToRank> onStepFinished(StepFinished f) {
    RunStep step = f.step();
    if (running == step) {
      running = null;
      board.health(board.readyGeneration() == joinedGeneration && joinedGeneration > 0 ? RankHealth.READY : RankHealth.JOINED);
    }
    long nanos = System.nanoTime() - f.startNanos();
    if (f.error() != null) {
      Throwable cause = unwrap(f.error());
      boolean aborted = cause instanceof WorldAbortedException || step.generation() != joinedGeneration;
      failStep(step, f.input(), aborted ? StepStatus.RETRIABLE : StepStatus.FAILED, rootMessage(cause));
      return runNext();
    }
    board.lastSeq(step.seq());
    if (f.refusal() != null) {
      failStep(step, f.input(), StepStatus.REJECTED, f.refusal());
      return runNext();
    }
    StepOutcome out = f.outcome();
    metrics.stepFinished("ok", nanos, out.dispatchBytes(), out.combineBytes()); // outputs already sent (startNext)
    io.report(step.reportTo(), new StepCompleted(step.seq(), step.generation(), settings.rank(), out.receivedRows(),
        out.dispatchBytes(), out.combineBytes(), nanos));
    return runNext();
  }

  private void failQueued(List<RunStep> dropped, String why) {
    for (RunStep s : dropped) {
      failStep(s, queue.takeInput(s), StepStatus.RETRIABLE, why);
    }
  }

  /** Tells the coordinator and, when its tensors are here, the client; RETRIABLE when the world changed. */
  private void failStep(RunStep step, StepInput input, StepStatus status, String why) {
    metrics.stepFinished(status == StepStatus.RETRIABLE ? "world_changed" : "failed", -1, 0, 0);
    io.report(step.reportTo(), new StepFailedOnRank(step.seq(), step.generation(), settings.rank(), status, why));
    if (input != null) {
      io.sendOutput(input.replyEndpoint(), StepOutputFrame.failed(step.clientId(), step.requestId(), settings.rank(), step.seq(),
          step.generation(), status, why));
    }
  }

  private Behavior<ToRank> onStop() {
    if (awake != null) {
      releaseAwake();
    }
    backend.close();
    return Behaviors.same();
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private static String rootMessage(Throwable t) {
    Throwable c = unwrap(t);
    return c.getClass().getSimpleName() + ": " + c.getMessage();
  }

  /** How long a rank keeps tensors for a step not yet sequenced; twice the step time-out. */
  static Duration inputTtl(RankSettings s) {
    return s.stepTimeout().multipliedBy(2);
  }
}
