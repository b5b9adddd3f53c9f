package io.epruntime.client;

import io.epruntime.protocol.actor.GetWorld;
import io.epruntime.protocol.cluster.WorldView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Waits for a Ready world: asks the gateway for its {@link WorldView} on the client's timer until
 * it says {@code ready} or the time is up, never spinning. Ends, always by the deadline, with the
 * view, a {@link ClusterNotReadyException} (the coordinator answered, but the world was not Ready:
 * its generation, state and missing ranks) or a {@link GatewayUnreachableException} (no gateway
 * answered: what was found at each endpoint).
 */
final class ReadyWait {
  /** One question's time-out; a gateway that takes longer is treated as gone and the next is asked. */
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
  /** Time before the deadline when endpoints that never answered are probed for the error message. */
  private static final Duration PROBE_BUDGET = Duration.ofSeconds(1);

  private final GatewayLink gateway;
  private final ScheduledExecutorService timer;
  private final Set<CompletableFuture<WorldView>> pending = ConcurrentHashMap.newKeySet();

  ReadyWait(GatewayLink gateway, ScheduledExecutorService timer) {
    this.gateway = gateway;
    this.timer = timer;
  }

  /** The world once Ready, within {@code timeout}. */
  CompletableFuture<WorldView> await(Duration timeout) {
    Wait w = new Wait(timeout);
    pending.add(w.out);
    w.out.whenComplete((v, e) -> pending.remove(w.out));
    w.start();
    return w.out;
  }

  /** Ends every wait still running with {@code cause} (the client closed or its actor system stopped). */
  void failAll(EpClientException cause) {
    for (CompletableFuture<WorldView> f : pending) {
      f.completeExceptionally(cause);
    }
  }

  /** One wait: its deadline, the last view seen and what probes found. */
  private final class Wait {
    final CompletableFuture<WorldView> out = new CompletableFuture<>();
    final Duration timeout;
    final long deadline;
    volatile WorldView last;
    volatile boolean anyAnswer;
    final Map<String, CompletableFuture<String>> probes = new LinkedHashMap<>();

    Wait(Duration timeout) {
      this.timeout = timeout;
      this.deadline = System.nanoTime() + timeout.toNanos();
    }

    void start() {
      long probeIn = Math.max(0, timeout.minus(PROBE_BUDGET).toMillis());
      schedule(() -> {
        if (!anyAnswer) {
          probe();
        }
      }, probeIn);
      schedule(this::expire, timeout.toMillis());
      poll();
    }

    private void poll() {
      if (out.isDone()) {
        return;
      }
      long left = deadline - System.nanoTime();
      Duration askTimeout = Duration.ofNanos(Math.min(ASK_TIMEOUT.toNanos(), left));
      if (askTimeout.toMillis() < 10) {
        return; // expire() ends it
      }
      gateway.ask(GetWorld::new, askTimeout).whenComplete((reply, err) -> {
        if (reply instanceof WorldView view) {
          anyAnswer = true;
          last = view;
          if (view.state().equals("ready")) {
            out.complete(view);
            return;
          }
        } else {
          gateway.rotate();
        }
        schedule(this::poll, POLL_INTERVAL.toMillis());
      });
    }

    private void probe() {
      synchronized (probes) {
        for (String endpoint : gateway.configured()) {
          probes.computeIfAbsent(endpoint, e -> CompletableFuture.supplyAsync(() -> EndpointProbe.describe(e, PROBE_BUDGET),
              r -> daemon(r, "ep-client-probe").start()));
        }
      }
    }

    private void expire() {
      if (out.isDone()) {
        return;
      }
      WorldView view = last;
      if (view != null) {
        out.completeExceptionally(new ClusterNotReadyException(view.generation(), view.state(), view.missingRanks(),
            "the cluster did not become Ready within " + seconds(timeout) + " (world " + view.state() + ", generation "
                + view.generation() + ", ranks missing: " + view.missingRanks() + ")", null));
        return;
      }
      List<String> found = new ArrayList<>();
      synchronized (probes) {
        for (String endpoint : gateway.configured()) {
          CompletableFuture<String> p = probes.get(endpoint);
          found.add(endpoint + ": " + (p == null ? "not probed" : p.getNow("no verdict within the time-out")));
        }
      }
      String tried = gateway.candidates().equals(gateway.configured()) ? "" : " (also tried as " + gateway.candidates() + ")";
      out.completeExceptionally(new GatewayUnreachableException(gateway.configured(), "no ep gateway answered at "
          + gateway.configured() + tried + " within " + seconds(timeout) + ": " + String.join("; ", found), null));
    }

    private void schedule(Runnable r, long delayMillis) {
      if (out.isDone()) {
        return;
      }
      try {
        timer.schedule(r, delayMillis, TimeUnit.MILLISECONDS);
      } catch (RuntimeException e) {
        out.completeExceptionally(new ClientClosedException("the client closed while waiting for a Ready world"));
      }
    }
  }

  static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
