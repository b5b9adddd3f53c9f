package io.epruntime.client;

import com.typesafe.config.ConfigFactory;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.actor.GetStatus;
import io.epruntime.protocol.actor.GetWorld;
import io.epruntime.protocol.cluster.StatusReport;
import io.epruntime.protocol.cluster.ToGateway;
import io.epruntime.protocol.cluster.WorldView;
import io.epruntime.protocol.ep.EpConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * A stand-in ep node for the client's tests: an actor system named {@code ep} with Pekko remoting
 * on a free port and a {@code gateway} actor that answers with the world the test sets. A step
 * submitted through it is refused as retriable, as a coordinator does when its world changed.
 */
final class FakeNode implements AutoCloseable {
  static final EpConfig WORLD = new EpConfig(2, 4, 128, 2, 4, 1, DType.BF16);

  private final ActorSystem<Void> system;
  private volatile WorldView world = ready(1);
  final AtomicInteger worldQuestions = new AtomicInteger();

  private FakeNode(String hostname) {
    system = ActorSystem.create(Behaviors.setup(ctx -> {
      ctx.spawn(gateway(), "gateway");
      return Behaviors.empty();
    }), "ep", ConfigFactory.parseString(String.join("\n",
        "pekko.actor.provider = remote",
        "pekko.remote.artery.canonical.hostname = \"" + hostname + "\"",
        "pekko.remote.artery.canonical.port = 0",
        "pekko.actor.allow-java-serialization = off",
        "pekko.actor.serialization-bindings { \"io.epruntime.protocol.cluster.CborSerializable\" = jackson-cbor }",
        "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
        "pekko.coordinated-shutdown.exit-jvm = off",
        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off")).withFallback(ConfigFactory.load()));
  }

  /** A node whose Pekko remoting calls itself {@code hostname}. */
  static FakeNode start(String hostname) {
    return new FakeNode(hostname);
  }

  /** A Ready world of generation {@code g}; steps go through the gateway, tensors to ports nobody listens on. */
  static WorldView ready(long g) {
    return new WorldView("ready", g, WORLD, List.of("127.0.0.1:9", "127.0.0.1:9"), List.of(), "");
  }

  /** A world still forming in generation {@code g}, without {@code missing}. */
  static WorldView forming(long g, List<Integer> missing) {
    return new WorldView("forming", g, WORLD, List.of("", ""), missing, "");
  }

  void world(WorldView view) {
    world = view;
  }

  /** {@code host:port} of this node's Pekko remoting, as given. */
  String endpoint(String host) {
    return host + ":" + Adapter.toClassic(system).provider().getDefaultAddress().getPort().get();
  }

  private Behavior<ToGateway> gateway() {
    return Behaviors.receive(ToGateway.class)
        .onMessage(GetWorld.class, m -> {
          worldQuestions.incrementAndGet();
          m.replyTo().tell(world);
          return Behaviors.same();
        })
        .onMessage(GetStatus.class, m -> {
          WorldView w = world;
          m.replyTo().tell(new StatusReport(w.generation(), w.state(), w.config().worldSize(), List.of(), 0, 0));
          return Behaviors.same();
        })
        .build();
  }

  @Override
  public void close() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().orTimeout(Duration.ofSeconds(10).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .exceptionally(e -> null).join();
  }
}
