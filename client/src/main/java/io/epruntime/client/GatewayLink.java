package io.epruntime.client;

import io.epruntime.protocol.cluster.ToClient;
import io.epruntime.protocol.cluster.ToGateway;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The client's way to a gateway: resolves {@code pekko://ep@host:port/user/gateway} of the current
 * endpoint and moves to the next when it stops answering (the node may be the one that was lost).
 *
 * <p>Pekko only takes messages addressed to the exact host name a node advertises, so a node that
 * calls itself {@code 127.0.0.1} drops what is sent to {@code localhost}. Every configured
 * {@code name:port} is therefore tried as given and then as each of its IP addresses.
 */
final class GatewayLink {
  private final ActorSystem<Void> system;
  private final List<String> configured;
  private final List<String> candidates;
  private int index;
  private CompletableFuture<ActorRef<ToGateway>> current;

  GatewayLink(ActorSystem<Void> system, List<String> gateways) {
    this.system = system;
    this.configured = List.copyOf(gateways);
    this.candidates = withAddresses(gateways);
  }

  /** {@code gateways}, each followed by the IP literals its host name resolves to (when it is a name). */
  static List<String> withAddresses(List<String> gateways) {
    Set<String> out = new LinkedHashSet<>();
    for (String g : gateways) {
      out.add(g);
      int colon = g.lastIndexOf(':');
      String host = g.substring(0, colon);
      try {
        for (InetAddress a : InetAddress.getAllByName(host)) {
          String ip = a.getHostAddress();
          out.add((ip.contains(":") ? "[" + ip + "]" : ip) + g.substring(colon));
        }
      } catch (UnknownHostException e) {
        // asked as given; the failure's diagnosis names the unknown host
      }
    }
    return new ArrayList<>(out);
  }

  /** The endpoints as the settings name them. */
  List<String> configured() {
    return configured;
  }

  /** Every endpoint asked in turn: the configured ones and their IP addresses. */
  List<String> candidates() {
    return candidates;
  }

  /**
   * Asks the current gateway; the stage fails when it cannot be resolved or does not answer in
   * time, or at once when the actor system no longer takes work.
   */
  CompletionStage<ToClient> ask(Function<ActorRef<ToClient>, ToGateway> message, Duration timeout) {
    try {
      return resolve(timeout).thenCompose(ref -> AskPattern.ask(ref, message::apply, timeout, system.scheduler()));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Forgets the current gateway; the next ask resolves the following endpoint. */
  synchronized void rotate() {
    if (current != null) {
      current = null;
      index = (index + 1) % candidates.size();
    }
  }

  private synchronized CompletionStage<ActorRef<ToGateway>> resolve(Duration timeout) {
    if (current == null || current.isCompletedExceptionally()) {
      if (current != null) {
        index = (index + 1) % candidates.size();
      }
      String path = "pekko://ep@" + candidates.get(index) + "/user/gateway";
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
