package io.epruntime.coordinator;

import io.epruntime.coordinator.RankRegistry.Accepted;
import io.epruntime.coordinator.RankRegistry.Entry;
import io.epruntime.coordinator.RankRegistry.Refused;
import io.epruntime.protocol.cluster.BootstrapAck;
import io.epruntime.protocol.cluster.EndGeneration;
import io.epruntime.protocol.actor.GetStatus;
import io.epruntime.protocol.actor.GetWorld;
import io.epruntime.protocol.actor.NewUniqueId;
import io.epruntime.protocol.actor.Probe;
import io.epruntime.protocol.cluster.RankHealth;
import io.epruntime.protocol.actor.RankHello;
import io.epruntime.protocol.cluster.RankRejected;
import io.epruntime.protocol.cluster.StatusReport;
import io.epruntime.protocol.cluster.StepCompleted;
import io.epruntime.protocol.cluster.StepFailedOnRank;
import io.epruntime.protocol.cluster.SubmitStep;
import io.epruntime.protocol.cluster.ToCoordinator;
import io.epruntime.protocol.cluster.ToRank;
import io.epruntime.protocol.cluster.UniqueIdReply;
import io.epruntime.protocol.cluster.WorldReady;
import io.epruntime.protocol.cluster.WorldView;
import io.epruntime.protocol.wire.BootstrapRecord;
import io.epruntime.rank.NodeMetrics;
import io.epruntime.rank.RankActor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The cluster singleton that owns the world: finds ranks (receptionist, then {@link Probe}s whose
 * answers are the registry), numbers each world a generation, bootstraps it (unique id from rank 0,
 * records over Aeron, every rank's ack), and ends it when a rank is lost, silent, unhealthy or hung.
 * Its state is rebuilt from the ranks' answers, so a fail-over loses nothing the ranks do not know.
 * Steps themselves are sequenced by {@link StepSequencer}; the ranks report each step's end
 * ({@link StepCompleted}, {@link StepFailedOnRank}) straight to this actor, which keeps the step's
 * state ({@link InFlightStep}) and its watchdog timer, so a step costs no actor of its own.
 *
 * <p>One behavior per {@link State}: {@link #forming()} waits for a whole world,
 * {@link #bootstrapping()} alone takes rank 0's unique id, the ranks' acks and the bootstrap's
 * time-out, {@link #ready()} alone runs steps; what every state takes (hellos, membership, probes,
 * step reports, queries) is in {@link #common}.
 */
public final class Coordinator {

  /** Messages from inside this node (timers, adapters); never sent across nodes. */
  sealed interface Internal extends ToCoordinator, NoSerializationVerificationNeeded {}

  /** Step {@code seq}'s watchdog ({@code ep.step-timeout}); its timer key is the seq. */
  record StepTimedOut(long seq) implements Internal {}

  private record RanksListed(Set<ActorRef<ToRank>> refs) implements Internal {}

  private record RankGone(ActorRef<ToRank> ref) implements Internal {}

  private record Reachability(Address address, boolean reachable) implements Internal {}

  private record BootstrapTimedOut(long generation) implements Internal {}

  private enum Tick implements Internal {
    PROBE, FORM
  }

  /** The world's lifecycle; each has its behavior, and the label goes into status and world views. */
  enum State {
    FORMING, BOOTSTRAPPING, READY;

    String label() {
      return name().toLowerCase();
    }
  }

  private final ActorContext<ToCoordinator> context;
  private final TimerScheduler<ToCoordinator> timers;
  private final NodeSettings settings;
  private final BootstrapChannel bootstrap;
  private final RankRegistry registry;
  private final StepSequencer sequencer;
  private final StepDelivery delivery;
  private final Set<ActorRef<ToRank>> listed = new HashSet<>();
  /** The behavior in force, for the handlers every state shares and for status. */
  private State state = State.FORMING;
  private long generation;
  private final Set<Integer> acked = new HashSet<>();
  /** The bootstrap phase being acknowledged, the JOIN record sent, and the windows the ranks answered it with. */
  private BootstrapRecord.Phase bootstrapPhase = BootstrapRecord.Phase.JOIN;
  private BootstrapRecord joinRecord;
  private final List<byte[]> windows = new ArrayList<>();
  private long probeNonce;
  private final List<String> refusals = new ArrayList<>();

  static Behavior<ToCoordinator> create(NodeSettings settings, BootstrapChannel bootstrap, StepDelivery delivery, NodeMetrics metrics) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Coordinator(ctx, timers, settings, bootstrap, delivery, metrics).forming()));
  }

  private Coordinator(
      ActorContext<ToCoordinator> context, TimerScheduler<ToCoordinator> timers, NodeSettings settings,
      BootstrapChannel bootstrap, StepDelivery delivery, NodeMetrics metrics) {
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.bootstrap = bootstrap;
    long stale = settings.healthInterval().toNanos() * settings.probeMisses();
    this.registry = new RankRegistry(settings.world(), stale);
    this.delivery = delivery;
    this.sequencer = new StepSequencer(context, timers, settings, registry, delivery, metrics);
    context.getSystem().receptionist().tell(Receptionist.subscribe(RankActor.SERVICE_KEY,
        context.messageAdapter(Receptionist.Listing.class, l -> new RanksListed(l.getServiceInstances(RankActor.SERVICE_KEY)))));
    Cluster cluster = Cluster.get(context.getSystem());
    cluster.subscriptions().tell(Subscribe.create(context.messageAdapter(ClusterEvent.ReachabilityEvent.class,
        e -> new Reachability(e.member().address(), e instanceof ClusterEvent.ReachableMember)), ClusterEvent.ReachabilityEvent.class));
    timers.startTimerWithFixedDelay(Tick.PROBE, settings.healthInterval());
    context.getLog().info("coordinator started for a world of {} ranks", settings.world().worldSize());
  }

  /** No world: waits until every rank is present and Up, then forms the next generation. */
  private Behavior<ToCoordinator> forming() {
    return common(Behaviors.receive(ToCoordinator.class))
        .onMessageEquals(Tick.FORM, this::onFormTick)
        .onMessage(SubmitStep.class, this::refuseStep)
        .onMessage(BootstrapAck.class, this::lateAck)
        .build();
  }

  /** Generation {@link #generation} is being bootstrapped: unique id, JOIN (and PEERS) acks. */
  private Behavior<ToCoordinator> bootstrapping() {
    return common(Behaviors.receive(ToCoordinator.class))
        .onMessage(UniqueIdReply.class, this::onUniqueId)
        .onMessage(BootstrapAck.class, this::onAck)
        .onMessage(BootstrapTimedOut.class, this::onBootstrapTimedOut)
        .onMessage(SubmitStep.class, this::refuseStep)
        .build();
  }

  /** Generation {@link #generation} is Ready: steps are sequenced. */
  private Behavior<ToCoordinator> ready() {
    return common(Behaviors.receive(ToCoordinator.class))
        .onMessage(SubmitStep.class, s -> {
          sequencer.submit(s, true, generation, statusLine());
          return Behaviors.same();
        })
        .onMessage(BootstrapAck.class, this::lateAck)
        .build();
  }

  /**
   * What every state takes. Step reports are always booked (a step of an ended generation still
   * needs its watchdog cancelled); only a Ready world ends on a failed step.
   */
  private BehaviorBuilder<ToCoordinator> common(BehaviorBuilder<ToCoordinator> b) {
    return b
        .onMessage(RankHello.class, this::onHello)
        .onMessage(RanksListed.class, this::onListing)
        .onMessage(RankGone.class, g -> onRankGone(g.ref()))
        .onMessage(Reachability.class, this::onReachability)
        .onMessageEquals(Tick.PROBE, this::onProbeTick)
        .onMessage(StepCompleted.class, c -> onStepEnded(sequencer.rankCompleted(c)))
        .onMessage(StepFailedOnRank.class, f -> onStepEnded(sequencer.rankFailed(f)))
        .onMessage(StepTimedOut.class, t -> onStepEnded(sequencer.timedOut(t.seq())))
        .onMessage(GetWorld.class, this::onGetWorld)
        .onMessage(GetStatus.class, this::onGetStatus);
  }

  /** A step while no world is Ready: the client hears why (the sequencer answers it). */
  private Behavior<ToCoordinator> refuseStep(SubmitStep s) {
    sequencer.submit(s, false, generation, statusLine());
    return Behaviors.same();
  }

  /** An ack outside its bootstrap (a retry, or one that crossed the world's end) only stops its re-sends. */
  private Behavior<ToCoordinator> lateAck(BootstrapAck a) {
    bootstrap.acknowledged(a.generation(), a.rank(), a.phase());
    return Behaviors.same();
  }

  private Behavior<ToCoordinator> onListing(RanksListed l) {
    for (ActorRef<ToRank> ref : l.refs()) {
      if (listed.add(ref)) {
        ref.tell(new Probe(++probeNonce, context.getSelf()));
      }
    }
    listed.retainAll(l.refs());
    return Behaviors.same();
  }

  private Behavior<ToCoordinator> onHello(RankHello h) {
    State before = state;
    long now = System.nanoTime();
    var outcome = registry.onHello(h, now);
    if (outcome instanceof Refused r) {
      if (!refusals.contains(r.reason())) {
        context.getLog().error("refusing rank: {}", r.reason()); // once per reason, not every probe
      }
      remember(r.reason());
      h.rankRef().tell(new RankRejected(h.rank(), r.reason()));
      return Behaviors.same();
    }
    Accepted a = (Accepted) outcome;
    if (a.replaced() != null) {
      context.getLog().warn("rank {} restarted: {} replaces {}", h.rank(), h.rankRef().path().address(), a.replaced().address());
      endGeneration("rank " + h.rank() + " was replaced by a new incarnation");
    }
    watchOnceUp(a.entry());
    sequencer.observeSeq(registry.maxLastSeq());
    generation = Math.max(generation, registry.maxGeneration());
    if (state != State.FORMING && h.health() == RankHealth.FAILED) {
      endGeneration("rank " + h.rank() + " reports " + h.describeHealth());
    }
    if (state == State.READY && h.generation() != generation && h.nonce() != 0 && h.health() != RankHealth.JOINING) {
      endGeneration("rank " + h.rank() + " is in generation " + h.generation() + ", not " + generation);
    }
    maybeForm();
    return settle(before);
  }

  private Behavior<ToCoordinator> onRankGone(ActorRef<ToRank> ref) {
    State before = state;
    int rank = registry.remove(ref);
    if (rank >= 0) {
      context.getLog().warn("rank {} at {} is gone", rank, ref.path().address());
      endGeneration("rank " + rank + " left the cluster");
    }
    return settle(before);
  }

  private Behavior<ToCoordinator> onReachability(Reachability r) {
    State before = state;
    List<Integer> hit = registry.setReachable(r.address(), r.reachable());
    if (!hit.isEmpty() && !r.reachable()) {
      context.getLog().warn("ranks {} at {} are unreachable", hit, r.address());
      endGeneration("ranks " + hit + " unreachable");
    }
    if (r.reachable()) {
      maybeForm();
    }
    return settle(before);
  }

  private Behavior<ToCoordinator> onProbeTick() {
    State before = state;
    long nonce = ++probeNonce;
    for (ActorRef<ToRank> ref : listed) {
      ref.tell(new Probe(nonce, context.getSelf()));
    }
    for (Entry e : registry.entries()) {
      if (!listed.contains(e.ref)) {
        e.ref.tell(new Probe(nonce, context.getSelf()));
      }
      watchOnceUp(e);
    }
    List<Integer> silent = registry.silent(System.nanoTime());
    if (!silent.isEmpty() && state != State.FORMING) {
      endGeneration("ranks " + silent + " missed " + settings.probeMisses() + " health probes");
    }
    maybeForm();
    return settle(before);
  }

  private Behavior<ToCoordinator> onFormTick() {
    State before = state;
    maybeForm();
    return settle(before);
  }

  /** Forms the next generation when there is none and every rank is present and Up. */
  private void maybeForm() {
    if (state != State.FORMING || !registry.missing(System.nanoTime(), this::memberUp).isEmpty()) {
      return;
    }
    generation = Math.max(generation, registry.maxGeneration()) + 1;
    acked.clear();
    sequencer.newGeneration(generation);
    context.getLog().info("forming world generation {}: asking rank 0 for a unique id", generation);
    registry.get(0).orElseThrow().ref.tell(new NewUniqueId(generation, context.getSelf()));
    timers.startSingleTimer("bootstrap", new BootstrapTimedOut(generation), settings.bootstrapTimeout());
    state = State.BOOTSTRAPPING;
  }

  private Behavior<ToCoordinator> onUniqueId(UniqueIdReply u) {
    if (u.generation() != generation) {
      return Behaviors.same();
    }
    if (u.error() != null) {
      context.getLog().error("rank 0 could not make a unique id for generation {}: {}", generation, u.error());
      return endAndSettle("rank 0 could not make a unique id: " + u.error());
    }
    int n = settings.world().worldSize();
    List<String> endpoints = new ArrayList<>(n);
    List<String> members = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      Entry e = registry.get(r).orElse(null);
      if (e == null) {
        return endAndSettle("rank " + r + " left during bootstrap");
      }
      endpoints.add(e.endpoint);
      members.add(e.address().toString());
    }
    joinRecord = new BootstrapRecord(generation, n, 0, u.uniqueId(), endpoints, members);
    bootstrapPhase = BootstrapRecord.Phase.JOIN;
    windows.clear();
    for (int r = 0; r < n; r++) {
      windows.add(new byte[0]);
    }
    publishToAll(joinRecord);
    return Behaviors.same();
  }

  private void publishToAll(BootstrapRecord record) {
    long g = record.generation();
    for (int r = 0; r < record.worldSize(); r++) {
      int rank = r;
      bootstrap.publish(record.dataEndpoints().get(r), record.forRank(r)).whenComplete((ok, err) -> {
        if (err != null) {
          context.getSystem().log().debug("bootstrap {} of generation {} to rank {} ended: {}", record.phase(), g, rank, err.toString());
        }
      });
    }
  }

  private Behavior<ToCoordinator> onAck(BootstrapAck a) {
    bootstrap.acknowledged(a.generation(), a.rank(), a.phase());
    if (a.generation() != generation || a.phase() != bootstrapPhase) {
      return Behaviors.same();
    }
    if (a.error() != null) {
      return endAndSettle("rank " + a.rank() + " could not " + (a.phase() == BootstrapRecord.Phase.JOIN ? "join" : "reach its peers")
          + ": " + a.error());
    }
    acked.add(a.rank());
    if (a.phase() == BootstrapRecord.Phase.JOIN && a.rank() >= 0 && a.rank() < windows.size()) {
      windows.set(a.rank(), a.window());
    }
    if (acked.size() == settings.world().worldSize() && bootstrapPhase == BootstrapRecord.Phase.JOIN
        && windows.stream().anyMatch(w -> w.length > 0)) {
      // Ranks brought peer windows: hand every rank the whole table before the world is Ready.
      bootstrapPhase = BootstrapRecord.Phase.PEERS;
      acked.clear();
      context.getLog().info("generation {}: every rank joined; handing out the table of {} peer windows", generation, windows.size());
      publishToAll(joinRecord.withPeers(windows));
      return Behaviors.same();
    }
    if (acked.size() == settings.world().worldSize()) {
      timers.cancel("bootstrap");
      for (Entry e : registry.entries()) {
        e.ref.tell(new WorldReady(generation));
      }
      context.getLog().info("world generation {} is Ready ({} ranks)", generation, acked.size());
      state = State.READY;
      return ready();
    }
    return Behaviors.same();
  }

  private Behavior<ToCoordinator> onBootstrapTimedOut(BootstrapTimedOut t) {
    if (t.generation() == generation) {
      List<Integer> missing = new ArrayList<>();
      for (int r = 0; r < settings.world().worldSize(); r++) {
        if (!acked.contains(r)) {
          missing.add(r);
        }
      }
      context.getLog().warn("bootstrap of generation {} timed out; no ack from ranks {}; retrying with a new generation", generation, missing);
      return endAndSettle("bootstrap timed out waiting for ranks " + missing);
    }
    return Behaviors.same();
  }

  /**
   * A step's client has its answer; a failed or hung step of the current world ends it. Refused
   * input ends only its step (the refusing rank still took its part). Null: nothing ended.
   */
  private Behavior<ToCoordinator> onStepEnded(InFlightStep.Ended f) {
    if (f != null && f.generation() == generation && state == State.READY) {
      return switch (f.outcome()) {
        case TIMED_OUT -> endAndSettle("step " + f.seq() + " hung on ranks " + f.stuckRanks());
        case FAILED -> endAndSettle("step " + f.seq() + " failed: " + f.detail());
        case RETRIABLE -> endAndSettle("step " + f.seq() + " was aborted: " + f.detail());
        default -> Behaviors.same();
      };
    }
    return Behaviors.same();
  }

  /** {@link #endGeneration}, then the behavior of the state it left the world in. */
  private Behavior<ToCoordinator> endAndSettle(String reason) {
    State before = state;
    endGeneration(reason);
    return settle(before);
  }

  /** The behavior of {@link #state} when a handler moved the world to another state, else the same. */
  private Behavior<ToCoordinator> settle(State before) {
    if (state == before) {
      return Behaviors.same();
    }
    return switch (state) {
      case FORMING -> forming();
      case BOOTSTRAPPING -> bootstrapping();
      case READY -> ready();
    };
  }

  /**
   * Ends the current generation (if any): the world is forming again, and the next generation forms
   * as soon as the world is whole.
   */
  private void endGeneration(String reason) {
    if (state == State.FORMING) {
      return;
    }
    context.getLog().warn("ending world generation {}: {}", generation, reason);
    bootstrap.cancel(generation);
    timers.cancel("bootstrap");
    for (Entry e : registry.entries()) {
      e.ref.tell(new EndGeneration(generation, reason));
    }
    sequencer.abortAll(generation, reason);
    // Let the ranks' aborts land before the next bootstrap; the probe tick would also get there.
    timers.startSingleTimer("form", Tick.FORM, settings.healthInterval());
    state = State.FORMING;
  }

  /**
   * Watches a rank's actor once its node is an Up member. Watching earlier is unreliable: the
   * removal of the node's previous incarnation (same host and port) terminates watches by address.
   */
  private void watchOnceUp(Entry e) {
    if (!e.watched && memberUp(e.address())) {
      e.watched = true;
      context.watchWith(e.ref, new RankGone(e.ref));
    }
  }

  /** True when the cluster has an Up member at {@code address} (this node's own rank counts too). */
  private boolean memberUp(Address address) {
    Address self = Cluster.get(context.getSystem()).selfMember().address();
    Address a = address.hasLocalScope() ? self : address;
    for (Member m : Cluster.get(context.getSystem()).state().getMembers()) {
      if (m.address().equals(a) && m.status() == MemberStatus.up()) {
        return true;
      }
    }
    return false;
  }

  private void remember(String refusal) {
    refusals.remove(refusal);
    refusals.add(refusal);
    if (refusals.size() > 16) {
      refusals.remove(0);
    }
  }

  private String statusLine() {
    return "world is " + state.label() + " (generation " + generation + "; ranks missing " + registry.missing(System.nanoTime(), this::memberUp) + ")";
  }

  private Behavior<ToCoordinator> onGetWorld(GetWorld g) {
    int n = settings.world().worldSize();
    List<String> endpoints = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      endpoints.add(registry.get(r).map(e -> e.endpoint).orElse(""));
    }
    g.replyTo().tell(new WorldView(state.label(), generation, settings.world(), endpoints,
        registry.missing(System.nanoTime(), this::memberUp), delivery.submitEndpoint()));
    return Behaviors.same();
  }

  private Behavior<ToCoordinator> onGetStatus(GetStatus g) {
    List<StatusReport.RankInfo> ranks = new ArrayList<>();
    for (Entry e : registry.entries()) {
      String health = e.reachable ? e.health : "unreachable";
      Address address = e.address().hasLocalScope() ? Cluster.get(context.getSystem()).selfMember().address() : e.address();
      ranks.add(new StatusReport.RankInfo(e.rank, address.toString(), health, e.lastSeq));
    }
    g.replyTo().tell(new StatusReport(generation, state.label(), settings.world().worldSize(), ranks, sequencer.inFlight(),
        sequencer.completed()));
    return Behaviors.same();
  }
}
