package io.epruntime.coordinator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import io.epruntime.coordinator.health.NodeParts;
import io.epruntime.protocol.cluster.RunStep;
import io.epruntime.protocol.cluster.StepCompleted;
import io.epruntime.protocol.cluster.StepFailedOnRank;
import io.epruntime.protocol.cluster.SubmitStep;
import io.epruntime.protocol.cluster.ToCoordinator;
import io.epruntime.protocol.cluster.ToRank;
import io.epruntime.rank.BackendFactory;
import io.epruntime.rank.NodeMetrics;
import io.epruntime.rank.RankActor;
import io.epruntime.rank.RankSettings;
import io.epruntime.rank.RankStatusBoard;
import io.epruntime.rank.backend.EpBackend;
import io.epruntime.transport.AeronNode;
import io.epruntime.transport.ArteryAeronUdp;
import io.epruntime.transport.BootstrapPublisher;
import io.epruntime.transport.FrameAuth;
import io.epruntime.transport.RemotingTls;
import io.epruntime.transport.StepControl;
import io.epruntime.transport.TransportSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node = one process = one rank: a Pekko Typed actor system in the cluster (Artery TCP), one
 * embedded Aeron media driver, the rank actor with its backend, the gateway, a proxy to the
 * coordinator singleton, and Pekko Management's /alive, /ready and /metrics.
 */
public final class Node implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);

  /** Name of every node's actor system; part of every Pekko address. */
  public static final String SYSTEM_NAME = "ep";

  private final NodeSettings settings;
  private final AeronNode aeron;
  private final ActorSystem<Void> system;
  private final List<AutoCloseable> closeables;

  private Node(NodeSettings settings, AeronNode aeron, ActorSystem<Void> system, List<AutoCloseable> closeables) {
    this.settings = settings;
    this.aeron = aeron;
    this.system = system;
    this.closeables = closeables;
  }

  /**
   * Starts a node from the user's layer of configuration ({@link #userConfig()}, or explicit
   * overrides in front of it): that layer goes over {@code ep.pekko-defaults}, which goes over every
   * reference.conf. Throws {@code EpArgumentException} naming the key when a setting is refused;
   * nothing is left running then.
   */
  public static Node start(Config user) {
    Config config = layered(user);
    NodeSettings settings = NodeSettings.fromConfig(config);
    Config withSeeds = RemotingTls.configure(
        ConfigFactory.parseMap(Map.of("pekko.cluster.seed-nodes", settings.seedAddresses())).withFallback(config));
    if (!RemotingTls.enabled(withSeeds)) {
      LOG.warn("Pekko remoting is plain TCP: any process that reaches port {} can talk to this node's actors; set {} "
          + "(docs/security.md)", withSeeds.getInt("pekko.remote.artery.canonical.port"), RemotingTls.KEY_STORE);
    }
    AeronNode aeron = AeronNode.start(TransportSettings.fromConfig(withSeeds), FrameAuth.fromConfig(withSeeds));
    // On SIGTERM the coordinated shutdown stops the node and then closes its Aeron node (below).
    aeron.closeOnExitAfter(CLOSE_TIMEOUT);
    List<AutoCloseable> closeables = new ArrayList<>();
    try {
      // aeron-udp remoting: Pekko's own media driver beside ours (tcp: unchanged).
      Config full = ArteryAeronUdp.configure(withSeeds, aeron.aeron().context().aeronDirectoryName());
      EpBackend backend = BackendFactory.create(settings.backend(), aeron, settings.world(), settings.rank(), full);
      BootstrapPublisher publisher = new BootstrapPublisher(aeron);
      closeables.add(publisher);
      RankStatusBoard board = new RankStatusBoard();
      NodeMetrics metrics = new NodeMetrics();
      RankSettings rankSettings = new RankSettings(
          settings.rank(), settings.world(), aeron.endpoint(), settings.stepTimeout(), settings.maxInFlight(),
          settings.inputDeadline());
      BootstrapChannel channel = new AeronBootstrapChannel(publisher);
      ActorSystem<Void> system = ActorSystem.create(
          guardian(settings, rankSettings, backend, aeron, channel, board, metrics, closeables), SYSTEM_NAME, full);
      NodeParts.register(Adapter.toClassic(system), new NodeParts(board, metrics));
      org.apache.pekko.cluster.Cluster cluster = org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system));
      cluster.registerOnMemberUp(() -> board.memberUp(true));
      cluster.registerOnMemberRemoved(() -> board.memberUp(false));
      // However the system ends (close, SIGTERM through coordinated shutdown, being downed), the
      // subscriptions and the media driver go with it.
      system.getWhenTerminated().whenComplete((done, err) -> {
        NodeParts.unregister(Adapter.toClassic(system));
        closeAll(closeables);
        aeron.close();
      });
      PekkoManagement.get(Adapter.toClassic(system)).start();
      LOG.info("node rank {} started: pekko {}, aeron {}", settings.rank(), cluster.selfAddress(), aeron.endpoint());
      return new Node(settings, aeron, system, closeables);
    } catch (RuntimeException e) {
      closeAll(closeables);
      aeron.close();
      throw e;
    }
  }

  /** System properties over application.conf (or {@code -Dconfig.file}), unresolved. */
  public static Config userConfig() {
    return ConfigFactory.systemProperties().withFallback(ConfigFactory.defaultApplication());
  }

  /** {@code user} over the node's Pekko defaults over all reference.conf files, resolved (env too). */
  public static Config layered(Config user) {
    Config reference = ConfigFactory.defaultReferenceUnresolved();
    ConfigObject ep = (ConfigObject) reference.root().get("ep");
    Config pekkoDefaults = ((ConfigObject) ep.get("pekko-defaults")).toConfig();
    return user.withFallback(pekkoDefaults).withFallback(reference).resolve();
  }

  private static Behavior<Void> guardian(
      NodeSettings settings, RankSettings rankSettings, EpBackend backend, AeronNode aeron, BootstrapChannel channel,
      RankStatusBoard board, NodeMetrics metrics, List<AutoCloseable> closeables) {
    return Behaviors.setup(ctx -> {
      StepControl control = new StepControl(aeron);
      StepDelivery delivery = StepDelivery.aeron(control);
      ActorRef<ToCoordinator> coordinator = ClusterSingleton.get(ctx.getSystem())
          .init(SingletonActor.of(Coordinator.create(settings, channel, delivery, metrics), "coordinator"));
      ActorRef<ToRank> rank = ctx.spawn(
          RankActor.create(rankSettings, backend, new AeronRankIo(aeron, control), coordinator, board, metrics), "rank",
          DispatcherSelector.fromConfig("pekko.actor.rank-dispatcher"));
      closeables.addAll(RankWiring.subscribe(aeron, rank, settings.rank()));
      // Every node takes the step's control frames: a client's steps and the ranks' reports for the
      // coordinator (through this node's singleton proxy, wherever the singleton lives), the
      // coordinator's RunSteps for this node's rank.
      closeables.add(control.listen(message -> {
        if (message instanceof RunStep run) {
          rank.tell(run);
        } else if (message instanceof SubmitStep || message instanceof StepCompleted || message instanceof StepFailedOnRank) {
          coordinator.tell((ToCoordinator) message);
        } else {
          LOG.warn("CONTROL stream: dropped a {}: nodes take steps, RunSteps and rank reports", message.getClass().getSimpleName());
        }
      }));
      ActorRef<?> gateway = ctx.spawn(Gateway.create(coordinator), Gateway.NAME);
      // A node without its rank (or gateway) actor still answers /alive, so nothing would ever
      // restart it: whatever stops one (a bug, a stray PoisonPill), the node exits with a code of
      // its own and its pod restarts.
      ctx.watch(rank);
      ctx.watch(gateway);
      return Behaviors.receive(Void.class).onSignal(Terminated.class, t -> {
        LOG.error("the node's {} actor stopped; the node exits ({}) so that it is restarted", t.getRef().path().name(),
            ActorStopped.EXIT_CODE);
        CoordinatedShutdown.get(ctx.getSystem()).runAll(ActorStopped.INSTANCE);
        return Behaviors.same();
      }).build();
    });
  }

  /** Why a node shut down when its rank or gateway actor stopped; exits with {@link #EXIT_CODE} (reference.conf). */
  static final class ActorStopped implements CoordinatedShutdown.Reason {
    static final ActorStopped INSTANCE = new ActorStopped();
    static final int EXIT_CODE = 3;

    private ActorStopped() {}
  }

  public NodeSettings settings() {
    return settings;
  }

  /** This node's Aeron endpoint {@code host:port}. */
  public String aeronEndpoint() {
    return aeron.endpoint();
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** Completes when the actor system has terminated (left the cluster, downed, or closed). */
  public CompletableFuture<Void> whenTerminated() {
    return system.getWhenTerminated().toCompletableFuture().thenApply(d -> null);
  }

  /** Leaves the cluster, stops the actors and the media driver. */
  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("actor system did not terminate within {}", CLOSE_TIMEOUT, e);
    }
  }

  private static void closeAll(List<AutoCloseable> closeables) {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("closing {} failed", c, e);
      }
    }
  }

  /** How long {@link #close} waits for the actor system. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
}
