package io.epruntime.client;

import io.epruntime.protocol.cluster.ToClient;
import io.epruntime.protocol.cluster.ToGateway;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The client's way to a gateway: resolves {@code pekko://ep@host:port/user/gateway} of the current
 * node and moves to the next configured node when it stops answering (the node may be the one
 * that was lost).
 */
final class GatewayLink {
  private final ActorSystem<Void> system;
  private final List<String> gateways;
  private int index;
  private CompletableFuture<ActorRef<ToGateway>> current;

  GatewayLink(ActorSystem<Void> system, List<String> gateways) {
    this.system = system;
    this.gateways = gateways;
  }

  /** Asks the current gateway; the stage fails when it cannot be resolved or does not answer in time. */
  CompletionStage<ToClient> ask(Function<ActorRef<ToClient>, ToGateway> message, Duration timeout) {
    return resolve(timeout).thenCompose(ref -> AskPattern.ask(ref, message::apply, timeout, system.scheduler()));
  }

  /** Forgets the current gateway; the next ask resolves the following one in the list. */
  synchronized void rotate() {
    if (current != null) {
      current = null;
      index = (index + 1) % gateways.size();
    }
  }

  private synchronized CompletionStage<ActorRef<ToGateway>> resolve(Duration timeout) {
    if (current == null || current.isCompletedExceptionally()) {
      if (current != null) {
        index = (index + 1) % gateways.size();
      }
      String path = "pekko://ep@" + gateways.get(index) + "/user/gateway";
      CompletableFuture<ActorRef<ToGateway>> f = new CompletableFuture<>();
      current = f;
      Adapter.toClassic(system).actorSelection(path).resolveOne(timeout).whenComplete((ref, err) -> {
        if (err != null) {
          f.completeExceptionally(new EpClientException("gateway " + path + " did not answer: " + err.getMessage(), err));
        } else {
          f.complete(Adapter.toTyped(ref));
        }
      });
    }
    return current;
  }
}
