package io.epruntime.client;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.cluster.GetStatus;
import io.epruntime.protocol.cluster.GetWorld;
import io.epruntime.protocol.cluster.StatusReport;
import io.epruntime.protocol.cluster.StepDone;
import io.epruntime.protocol.cluster.StepError;
import io.epruntime.protocol.cluster.SubmitStep;
import io.epruntime.protocol.cluster.ToClient;
import io.epruntime.protocol.cluster.WorldView;
import io.epruntime.protocol.wire.StepInputFrame;
import io.epruntime.protocol.wire.ControlFrame;
import io.epruntime.transport.AeronNode;
import io.epruntime.transport.ArteryAeronUdp;
import io.epruntime.transport.ControlChannel;
import io.epruntime.transport.StepInputPublisher;
import io.epruntime.transport.StepOutputSubscriber;
import io.epruntime.transport.TransportSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The programmatic client of an ep cluster. Control goes to a node's gateway over Pekko remoting
 * (CBOR); tensors go straight to the ranks over Aeron and outputs come straight back, never through
 * the coordinator. Thread-safe; {@link #submit} never blocks.
 *
 * <pre>{@code
 * try (EpClient c = EpClient.connect(ClientSettings.of(List.of("10.0.0.5:17355")))) {
 *   StepResult r = c.submit(new StepRequest(x, routing, ExpertKernelSpec.scale(), null)).toCompletableFuture().join();
 * }
 * }</pre>
 */
public final class EpClient implements AutoCloseable {
  private final ClientSettings settings;
  private final ActorSystem<Void> system;
  private final AeronNode aeron;
  private final StepInputPublisher inputs;
  private final StepOutputSubscriber outputs;
  private final GatewayLink gateway;
  private final ControlChannel control;
  private final ActorRef<ToClient> replies;
  private final long clientId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
  private final AtomicLong requestIds = new AtomicLong();
  private final Map<Long, Attempt> attempts = new ConcurrentHashMap<>();
  private final Semaphore window;
  /** The world last seen Ready, checked against {@link #expected}. */
  private volatile Joined world;
  /**
   * What every world must match: the settings' {@link ClientSettings#expectedWorld} until connected,
   * then the whole world connected to (keys the settings left open adopted from it).
   */
  private volatile ExpectedWorld expected;

  /** A world seen Ready and how it differs from {@link #expected} (empty: it matches). Checked once per view. */
  private record Joined(WorldView view, List<String> differences) {}

  private EpClient(ClientSettings settings, Config config) {
    this.settings = settings;
    this.expected = settings.expectedWorld();
    this.window = new Semaphore(settings.maxInFlight());
    AeronNode node = AeronNode.start(TransportSettings.fromConfig(config).withHost(config.getString("ep.client.host")));
    this.aeron = node;
    try {
      this.system = ActorSystem.create(Behaviors.empty(), "ep-client",
          ArteryAeronUdp.configure(clientPekkoConfig(config), node.aeron().context().aeronDirectoryName()));
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    try {
      this.inputs = new StepInputPublisher(node);
      this.outputs = new StepOutputSubscriber(node, f -> {
        Attempt a = attempts.get(f.requestId());
        if (a != null && f.clientId() == clientId) {
          a.onOutput(f);
        }
      });
      this.gateway = new GatewayLink(system, settings.gateways());
      this.control = new ControlChannel(node, system);
      this.replies = system.systemActorOf(StepReplies.create(this::onStepReply), "step-replies", Props.empty());
    } catch (RuntimeException e) {
      node.close();
      system.terminate();
      throw e;
    }
  }

  /**
   * The client's remoting: {@code pekko.remote.artery.transport} comes from {@code config} (Pekko's
   * default is tcp) because it must be the cluster's, e.g. {@code aeron-udp} for nodes on aeron-udp.
   */
  private static Config clientPekkoConfig(Config config) {
    String host = config.getString("ep.client.host");
    return ConfigFactory.parseString(String.join("\n",
            "pekko.actor.provider = remote",
            "pekko.remote.artery.canonical.hostname = \"" + host + "\"",
            "pekko.remote.artery.canonical.port = 0",
            "pekko.actor.allow-java-serialization = off",
            "pekko.actor.serialization-bindings { \"io.epruntime.protocol.cluster.CborSerializable\" = jackson-cbor }",
            "pekko.coordinated-shutdown.exit-jvm = off",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off"))
        .withFallback(config);
  }

  /**
   * Connects through the first gateway that answers and waits (at most
   * {@code settings.connectTimeout}) until the world is Ready; else throws {@link EpClientException}
   * naming the missing ranks.
   *
   * <p>The world's shape comes from the cluster. When the cluster's world differs from a key the
   * settings expect ({@link ClientSettings#expectedWorld}), this throws {@link WorldMismatchException}
   * naming every differing key with both values, e.g. {@code client ep.hidden = 256 but the cluster
   * runs ep.hidden = 128}, and the client is closed without having sent a step; the cluster keeps
   * serving other clients. Keys the settings leave open are adopted from the cluster, and from then
   * on the whole world connected to is what this client expects: a cluster that comes back (after a
   * retriable failure) with another shape fails this client's steps the same way, before anything
   * is sent.
   */
  public static EpClient connect(ClientSettings settings) {
    return connect(settings, ConfigFactory.load());
  }

  /** {@link #connect(ClientSettings)} with an explicit config for the client's remoting and Aeron. */
  public static EpClient connect(ClientSettings settings, Config config) {
    EpClient c = new EpClient(settings, config);
    try {
      WorldView view = c.awaitReady(settings.connectTimeout()).toCompletableFuture().join();
      List<String> differences = settings.expectedWorld().differences(view.config());
      if (!differences.isEmpty()) {
        throw new WorldMismatchException("refused to connect to the cluster at " + settings.gateways()
            + ": its world differs from this client's configuration, nothing was sent", differences);
      }
      c.expected = settings.expectedWorld().orElse(view.config());
      c.world = new Joined(view, List.of());
      return c;
    } catch (CompletionException e) {
      c.close();
      throw e.getCause() instanceof EpClientException ece ? ece : new EpClientException("connect failed", e.getCause());
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** The world's shape, the generation last seen Ready and what carries this client's steps. */
  public WorldInfo world() {
    WorldView w = world.view();
    return new WorldInfo(w.config(), w.generation(), isBlank(w.submitEndpoint()) ? "pekko" : "aeron");
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  /** The world seen Ready, and whether it differs from what this client expects (then it fails every step). */
  private Joined join(WorldView view) {
    return new Joined(view, expected.differences(view.config()));
  }

  private static WorldMismatchException mismatch(Joined j) {
    return new WorldMismatchException("the cluster's world (generation " + j.view().generation()
        + ") is not the one this client connected to, nothing was sent", j.differences());
  }

  /**
   * Submits a step. The stage completes with every rank's output, or fails with
   * {@link StepRejectedException} (bad input, checked here before anything is sent),
   * {@link BackPressureException} (window full), {@link RetriableStepException} (world changed and
   * retries exhausted), {@link WorldMismatchException} (the cluster came back with another world
   * than the one connected to; nothing is sent) or {@link EpClientException}.
   */
  public CompletionStage<StepResult> submit(StepRequest request) {
    Joined joined = world;
    if (!joined.differences().isEmpty()) {
      return CompletableFuture.failedFuture(mismatch(joined));
    }
    try {
      StepChecks.validate(joined.view().config(), request);
    } catch (EpArgumentException e) {
      return CompletableFuture.failedFuture(new StepRejectedException(e.argument(), e.getMessage()));
    }
    if (!window.tryAcquire()) {
      return CompletableFuture.failedFuture(new BackPressureException(
          "this client already has " + settings.maxInFlight() + " steps in flight (maxInFlight)"));
    }
    CompletableFuture<StepResult> result = new CompletableFuture<>();
    result.whenComplete((r, e) -> window.release());
    runAttempt(request, 1, System.nanoTime(), result);
    return result;
  }

  private void runAttempt(StepRequest request, int attempt, long startNanos, CompletableFuture<StepResult> result) {
    WorldView w = world.view();
    int n = w.config().worldSize();
    long requestId = requestIds.incrementAndGet();
    Attempt a = new Attempt(requestId, n);
    attempts.put(requestId, a);
    // The outputs may come at any moment until the attempt ends: keep the transport polling.
    AeronNode.AwakeHold awake = aeron.holdAwake();
    a.future.whenComplete((done, err) -> awake.close());
    a.future.orTimeout(settings.stepTimeout().toMillis(), TimeUnit.MILLISECONDS);
    for (int r = 0; r < n; r++) {
      int rank = r;
      StepInputFrame frame = new StepInputFrame(clientId, requestId, r, aeron.endpoint(), request.x().get(r), request.routing().get(r));
      inputs.send(w.rankEndpoints().get(r), frame).whenComplete((ok, err) -> {
        if (err != null) {
          a.fail(new RetriableStepException(w.generation(), "tensors for rank " + rank + " could not be delivered: " + err.getMessage()));
        }
      });
    }
    int[] counts = new int[n];
    for (int r = 0; r < n; r++) {
      counts[r] = request.x().get(r).tokens();
    }
    if (isBlank(w.submitEndpoint())) {
      gateway.ask(replyTo -> new SubmitStep(clientId, requestId, w.generation(), counts, request.kernel(), request.mode(), replyTo), settings.stepTimeout())
          .whenComplete((reply, err) -> onReply(a, w, reply, err));
    } else {
      // Straight to the coordinator's node over Aeron; its answer, if any beyond the ranks'
      // outputs, comes to the long-lived reply actor over Pekko.
      control.send(w.submitEndpoint(), ControlFrame.TO_COORDINATOR,
              new SubmitStep(clientId, requestId, w.generation(), counts, request.kernel(), request.mode(), replies))
          .whenComplete((ok, err) -> {
            if (err != null) {
              a.fail(new RetriableStepException(w.generation(), "the coordinator's node " + w.submitEndpoint()
                  + " did not take the step: " + err.getMessage()));
            }
          });
    }
    a.future.whenComplete((done, err) -> {
      attempts.remove(requestId);
      if (err == null) {
        result.complete(new StepResult(done.seq(), done.generation(), done.mode(), done.outputs(), attempt,
            System.nanoTime() - startNanos, done.dispatchBytes(), done.combineBytes()));
        return;
      }
      Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
      if (cause instanceof java.util.concurrent.TimeoutException) {
        cause = new RetriableStepException(w.generation(), "no complete answer within stepTimeout = " + settings.stepTimeout());
      }
      if (cause instanceof RetriableStepException && attempt <= settings.maxRetries()) {
        awaitReady(settings.connectTimeout()).whenComplete((view, e2) -> {
          if (e2 != null) {
            result.completeExceptionally(e2 instanceof CompletionException ? e2.getCause() : e2);
          } else {
            Joined j = join(view);
            world = j;
            if (j.differences().isEmpty()) {
              runAttempt(request, attempt + 1, startNanos, result);
            } else {
              result.completeExceptionally(mismatch(j));
            }
          }
        });
        return;
      }
      result.completeExceptionally(cause);
    });
  }

  private void onStepReply(ToClient reply) {
    long requestId = reply instanceof StepError e ? e.requestId() : reply instanceof StepDone d ? d.requestId() : -1;
    Attempt a = attempts.get(requestId);
    if (a != null) {
      onReply(a, world.view(), reply, null);
    }
  }

  private void onReply(Attempt a, WorldView w, ToClient reply, Throwable err) {
    if (err != null) {
      gateway.rotate();
      a.fail(new RetriableStepException(w.generation(), "the gateway did not answer: " + err));
    } else if (reply instanceof StepDone) {
      // Nothing to do: the attempt completes on the last rank's output (and holds the transport
      // awake until then), not on this.
    } else if (reply instanceof StepError e) {
      a.fail(switch (e.kind()) {
        case RETRIABLE -> new RetriableStepException(e.generation(), e.message());
        case REJECTED -> new StepRejectedException(e.field(), e.message());
        case BACK_PRESSURE -> new BackPressureException(e.message());
      });
    } else {
      a.fail(new EpClientException("unexpected reply " + reply));
    }
  }

  /** Asks for the world until it is Ready or {@code timeout} passes; re-asks on a timer, never spins. */
  private CompletionStage<WorldView> awaitReady(Duration timeout) {
    CompletableFuture<WorldView> out = new CompletableFuture<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    pollWorld(out, deadline, timeout, null);
    return out;
  }

  private void pollWorld(CompletableFuture<WorldView> out, long deadline, Duration timeout, WorldView last) {
    if (System.nanoTime() > deadline) {
      String missing = last == null ? "no gateway of " + settings.gateways() + " answered" : "ranks missing: " + last.missingRanks()
          + " (world " + last.state() + ", generation " + last.generation() + ")";
      out.completeExceptionally(new EpClientException("cluster did not become Ready in " + timeout.toSeconds() + " s; " + missing));
      return;
    }
    gateway.ask(GetWorld::new, Duration.ofSeconds(2)).whenComplete((reply, err) -> {
      WorldView view = reply instanceof WorldView v ? v : null;
      if (view != null && view.state().equals("ready")) {
        out.complete(view);
        return;
      }
      if (err != null) {
        gateway.rotate();
      }
      system.scheduler().scheduleOnce(Duration.ofMillis(200), () -> pollWorld(out, deadline, timeout, view != null ? view : last),
          system.executionContext());
    });
  }

  /**
   * The coordinator's view: world state, generation, per-rank health, steps in flight. When the
   * gateway does not answer the stage fails and the next call asks the next configured one (the
   * node may be the one that was lost).
   */
  public CompletionStage<ClusterStatus> status() {
    return gateway.ask(GetStatus::new, settings.stepTimeout()).whenComplete((reply, err) -> {
      if (err != null) {
        gateway.rotate();
      }
    }).thenApply(reply -> {
      if (!(reply instanceof StatusReport s)) {
        throw new EpClientException("unexpected reply " + reply);
      }
      return new ClusterStatus(s.generation(), s.worldState(), s.worldSize(),
          s.ranks().stream().map(r -> new RankStatus(r.rank(), r.address(), r.health(), r.lastSeq())).toList(),
          s.stepsInFlight(), s.stepsCompleted());
    });
  }

  /** Fails outstanding steps and frees the actor system and the media driver. */
  @Override
  public void close() {
    for (Attempt a : attempts.values()) {
      a.fail(new EpClientException("client closed"));
    }
    if (outputs != null) {
      outputs.close();
    }
    if (aeron != null) {
      aeron.close();
    }
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway; the system's threads are daemons
    }
  }
}
