package io.epruntime.client;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.epruntime.protocol.actor.GetStatus;
import io.epruntime.protocol.cluster.StatusReport;
import io.epruntime.protocol.cluster.WorldView;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The programmatic client of an ep cluster. It asks a node's gateway (Pekko remoting, CBOR) for
 * the world, sends each step's control part to the coordinator's node and its tensors straight to
 * the ranks, both over Aeron; every rank sends
 * its combined output straight back. Thread-safe; {@link #submit} never blocks.
 *
 * <p>Every call ends: {@link #connect} within {@code connectTimeout}, a step within
 * {@code stepTimeout} per attempt (plus {@code connectTimeout} to wait for a Ready world between
 * attempts), {@link #status} within {@code stepTimeout}; after {@link #close} every call fails at
 * once with {@link ClientClosedException}. Everything the client throws, or fails a stage with, is
 * an {@link EpClientException}. See docs/client.md for a complete example.
 *
 * <pre>{@code
 * try (EpClient c = EpClient.connect(ClientSettings.of(List.of("127.0.0.1:17355")))) {
 *   StepResult r = c.submit(request).toCompletableFuture().get(60, TimeUnit.SECONDS);
 * }
 * }</pre>
 */
public final class EpClient implements AutoCloseable {
  private final ClientSettings settings;
  private final ClientRuntime runtime;
  private final StepSubmitter steps;

  private EpClient(ClientSettings settings, ClientRuntime runtime) {
    this.settings = settings;
    this.runtime = runtime;
    this.steps = runtime.steps();
  }

  /**
   * Connects through the first gateway that answers and waits (at most
   * {@code settings.connectTimeout}) until the world is Ready. Fails with
   * {@link GatewayUnreachableException} when no gateway answered (naming each endpoint and what was
   * found there), {@link ClusterNotReadyException} when the world was not Ready in time (its
   * generation and missing ranks), {@link WorldMismatchException} or {@link EpClientException}.
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
    InvalidArgumentException.require(settings != null, "settings", null, "a ClientSettings, e.g. ClientSettings.of(List.of(\"host:17355\"))");
    InvalidArgumentException.require(config != null, "config", null, "a Config, e.g. ConfigFactory.load()");
    ClientRuntime runtime = ClientRuntime.start(settings, config);
    try {
      WorldView view = await(runtime.ready().await(settings.connectTimeout()), settings.connectTimeout());
      List<String> differences = settings.expectedWorld().differences(view.config());
      if (!differences.isEmpty()) {
        throw new WorldMismatchException("refused to connect to the cluster at " + settings.gateways()
            + ": its world differs from this client's configuration, nothing was sent", differences);
      }
      runtime.steps().connected(view);
      return new EpClient(settings, runtime);
    } catch (RuntimeException e) {
      runtime.close();
      throw e;
    }
  }

  /**
   * Blocks for {@code wait}'s outcome. The wait ends by its own deadline; the extra margin here
   * only guards against a bug leaving it open, so that connect returns whatever happens.
   */
  private static WorldView await(CompletableFuture<WorldView> wait, Duration timeout) {
    try {
      return wait.get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof EpClientException ece ? ece : new EpClientException("connect failed: " + cause, cause);
    } catch (TimeoutException e) {
      throw new EpClientException("connect did not end within connectTimeout = " + timeout + " (a client bug: please report it)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EpClientException("interrupted while connecting");
    }
  }

  /** The world's shape, the generation last seen Ready and what carries this client's steps. */
  public WorldInfo world() {
    WorldView w = steps.view();
    return new WorldInfo(w.config(), w.generation());
  }

  /**
   * Submits a step. The stage completes with every rank's output, or fails with
   * {@link StepRejectedException} (bad input, checked here before anything is sent),
   * {@link BackPressureException} (window full), {@link RetriableStepException} (world changed and
   * retries exhausted; a {@link ClusterNotReadyException} when the world was not Ready again within
   * {@code connectTimeout}), {@link WorldMismatchException} (the cluster came back with another
   * world than the one connected to; nothing is sent), {@link ClientClosedException} or
   * {@link EpClientException}.
   */
  public CompletionStage<StepResult> submit(StepRequest request) {
    EpClientException stopped = runtime.stopped();
    return stopped != null ? CompletableFuture.failedFuture(stopped) : steps.submit(request);
  }

  /**
   * The coordinator's view: world state, generation, per-rank health, steps in flight. Fails within
   * {@code stepTimeout} when the gateway does not answer; the next call then asks the next
   * configured one (the node may be the one that was lost).
   */
  public CompletionStage<ClusterStatus> status() {
    EpClientException stopped = runtime.stopped();
    if (stopped != null) {
      return CompletableFuture.failedFuture(stopped);
    }
    GatewayLink gateway = runtime.gateway();
    return gateway.ask(GetStatus::new, settings.stepTimeout()).handle((reply, err) -> {
      if (err != null) {
        gateway.rotate();
        EpClientException now = runtime.stopped();
        throw now != null ? now : new EpClientException("no status from the gateway within stepTimeout = " + settings.stepTimeout()
            + " (asked " + gateway.candidates() + "): " + StepSubmitter.unwrap(err).getMessage(), StepSubmitter.unwrap(err));
      }
      if (!(reply instanceof StatusReport s)) {
        throw new EpClientException("unexpected reply " + reply);
      }
      return new ClusterStatus(s.generation(), s.worldState(), s.worldSize(),
          s.ranks().stream().map(r -> new RankStatus(r.rank(), r.address(), r.health(), r.lastSeq())).toList(),
          s.stepsInFlight(), s.stepsCompleted());
    });
  }

  /**
   * Fails outstanding steps and waits with {@link ClientClosedException}, then frees the actor
   * system, the media driver and its directory. Idempotent.
   */
  @Override
  public void close() {
    runtime.close();
  }
}
