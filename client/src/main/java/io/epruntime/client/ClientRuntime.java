package io.epruntime.client;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.epruntime.client.internal.ClientLoggingFilter;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.cluster.StepError;
import io.epruntime.transport.AeronNode;
import io.epruntime.transport.ArteryAeronUdp;
import io.epruntime.transport.FrameAuth;
import io.epruntime.transport.RemotingTls;
import io.epruntime.transport.StepControl;
import io.epruntime.transport.StepOutputSubscriber;
import io.epruntime.transport.TransportSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.CloseHelper;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * What one client runs: its Aeron node (media driver and directory), its Pekko actor system, a
 * timer thread for its waits, and the parts built on them. Knows when the client stopped — closed
 * by the user, or its actor system ended under it — and then fails everything outstanding, so no
 * call waits on a part that is gone.
 */
final class ClientRuntime implements AutoCloseable {
  private final AeronNode aeron;
  private final ActorSystem<Void> system;
  private final ScheduledExecutorService timer;
  private final GatewayLink gateway;
  private final ReadyWait ready;
  private final StepSubmitter steps;
  private final List<AutoCloseable> closeables;
  private final AtomicReference<EpClientException> stopped = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private ClientRuntime(AeronNode aeron, ActorSystem<Void> system, ScheduledExecutorService timer, GatewayLink gateway,
      ReadyWait ready, StepSubmitter steps, List<AutoCloseable> closeables) {
    this.aeron = aeron;
    this.system = system;
    this.timer = timer;
    this.gateway = gateway;
    this.ready = ready;
    this.steps = steps;
    this.closeables = closeables;
  }

  /** Starts every part or, failing, none: what was started is stopped before the exception leaves. */
  static ClientRuntime start(ClientSettings settings, Config config) {
    ClientEnvironment.check();
    Config remoting;
    try {
      remoting = RemotingTls.configure(pekkoConfig(config));
    } catch (EpArgumentException e) {
      throw new InvalidArgumentException(e.argument(), e.getMessage());
    }
    AeronNode aeron = startAeron(config);
    ActorSystem<Void> system;
    try {
      system = ActorSystem.create(Behaviors.empty(), "ep-client",
          ArteryAeronUdp.configure(remoting, aeron.aeron().context().aeronDirectoryName()));
    } catch (RuntimeException e) {
      aeron.close();
      throw new EpClientException("could not start the client's Pekko remoting (pekko.remote.artery.*, ep.client.host): " + e, e);
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> ReadyWait.daemon(r, "ep-client-timer"));
    List<AutoCloseable> closeables = new ArrayList<>();
    try {
      GatewayLink gateway = new GatewayLink(system, settings.gateways());
      ReadyWait ready = new ReadyWait(gateway, timer);
      // Random and unguessable: tensors sent to ranks are bound to their step by this id (FrameAuth).
      long clientId = new java.security.SecureRandom().nextLong() & Long.MAX_VALUE;
      StepControl control = new StepControl(aeron);
      StepSubmitter steps = new StepSubmitter(settings, clientId, aeron, control, ready);
      closeables.add(new StepOutputSubscriber(aeron, steps::onOutput));
      closeables.add(control.listen(message -> {
        if (message instanceof StepError e) {
          steps.onStepError(e);
        }
      }));
      ClientRuntime runtime = new ClientRuntime(aeron, system, timer, gateway, ready, steps, closeables);
      system.getWhenTerminated().whenComplete((done, err) -> runtime.stop(new EpClientException(
          "the client's actor system stopped while connected to " + settings.gateways() + " (Pekko ends it after repeated remoting "
              + "failures; its log says which): connect a new client")));
      return runtime;
    } catch (RuntimeException e) {
      timer.shutdownNow();
      closeables.forEach(CloseHelper::quietClose);
      aeron.close();
      system.terminate();
      throw e instanceof EpClientException ece ? ece : new EpClientException("could not start the client: " + e, e);
    }
  }

  private static AeronNode startAeron(Config config) {
    TransportSettings transport;
    FrameAuth auth;
    try {
      transport = TransportSettings.fromConfig(config).withHost(config.getString("ep.client.host"));
    } catch (RuntimeException e) {
      throw new InvalidArgumentException("ep.transport", "bad transport configuration for the client: " + e.getMessage());
    }
    try {
      auth = FrameAuth.fromConfig(config);
    } catch (EpArgumentException e) {
      throw new InvalidArgumentException(e.argument(), e.getMessage());
    }
    try {
      return AeronNode.start(transport, auth);
    } catch (RuntimeException e) {
      throw new EpClientException("could not start the client's Aeron media driver (ep.transport.*, ep.client.host = "
          + config.getString("ep.client.host") + "): " + e, e);
    }
  }

  GatewayLink gateway() {
    return gateway;
  }

  ReadyWait ready() {
    return ready;
  }

  StepSubmitter steps() {
    return steps;
  }

  /** Why the client no longer works ({@link ClientClosedException} after close), or null while it does. */
  EpClientException stopped() {
    return stopped.get();
  }

  /** Records the first reason the client stopped and ends everything outstanding with it. */
  private void stop(EpClientException cause) {
    if (stopped.compareAndSet(null, cause)) {
      steps.failAll(cause);
      ready.failAll(cause);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stop(new ClientClosedException("this EpClient was closed; connect a new one"));
    timer.shutdownNow();
    closeables.forEach(CloseHelper::quietClose);
    aeron.close();
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway; the system's threads are daemons
    }
  }

  /**
   * The client's Pekko settings over {@code config}: remoting only (no cluster), CBOR for our
   * messages, no Java serialization, Pekko's logging through SLF4J without the warnings of a normal
   * connect and close, and nothing that ends the JVM. Pekko warns at start-up that remoting runs
   * without Cluster unless {@code use-unsafe-remote-features-outside-cluster} is on; the features it
   * allows (remote watch and deployment) are ones the client never uses, and deployment needs Java
   * serialization, which is off. The warnings of Artery's connections aborted at close are dropped
   * by {@link ClientLoggingFilter}.
   * {@code pekko.remote.artery.transport} comes from {@code config} because it must be the
   * cluster's. Pekko terminates an actor system whose outbound stream to one address failed 5 times
   * in 5 s; a client given a wrong endpoint (a closed port, an HTTP port) would lose its whole system
   * that way, so it restarts them for as long as it runs.
   */
  private static Config pekkoConfig(Config config) {
    String host = config.getString("ep.client.host");
    return ConfigFactory.parseString(String.join("\n",
            "pekko.actor.provider = remote",
            "pekko.remote.artery.canonical.hostname = \"" + host + "\"",
            "pekko.remote.artery.canonical.port = 0",
            "pekko.remote.artery.advanced.outbound-max-restarts = 2147483647",
            "pekko.remote.warn-about-direct-use = off",
            "pekko.remote.use-unsafe-remote-features-outside-cluster = on",
            "pekko.actor.allow-java-serialization = off",
            "pekko.actor.serialization-bindings { \"io.epruntime.protocol.cluster.CborSerializable\" = jackson-cbor }",
            "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
            "pekko.logging-filter = \"" + ClientLoggingFilter.class.getName() + "\"",
            "pekko.coordinated-shutdown.exit-jvm = off",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off"))
        .withFallback(config);
  }
}
