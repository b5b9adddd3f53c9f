package io.epruntime.chaos;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epruntime.client.ClientSettings;
import io.epruntime.client.EpClient;
import io.epruntime.client.RetriableStepException;
import io.epruntime.client.StepRejectedException;
import io.epruntime.client.StepRequest;
import io.epruntime.client.StepResult;
import io.epruntime.engine.RankInput;
import io.epruntime.engine.Workloads;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Clients that keep the cluster busy: each connects with retries on and submits one seeded step
 * after another (token counts across the LL capacity, so HT and LL mix), each checked by
 * {@link ScaleOracle}, and writes every invoke and its end to the {@link History}.
 */
final class Load implements AutoCloseable {
  /** How long one step may take, retries included, before it counts as lost. */
  static final Duration BOUND = Duration.ofSeconds(150);

  private final ChaosCluster cluster;
  private final History history;
  private final long seed;
  private final List<Thread> threads = new ArrayList<>();
  private final List<Throwable> errors = new ArrayList<>();
  private volatile boolean running = true;
  /** When (history time) the latest step that succeeded was invoked. */
  private final java.util.concurrent.atomic.AtomicLong lastOkInvokedMs = new java.util.concurrent.atomic.AtomicLong(-1);

  Load(ChaosCluster cluster, History history, long seed) {
    this.cluster = cluster;
    this.history = history;
    this.seed = seed;
  }

  void start(int clients) {
    for (int c = 0; c < clients; c++) {
      int client = c;
      Thread t = new Thread(() -> run(client), "chaos-client-" + c);
      t.start();
      threads.add(t);
    }
  }

  private void run(int client) {
    ClientSettings settings = ClientSettings.of(cluster.gateways()).withConnectTimeout(Duration.ofSeconds(120))
        .withStepTimeout(Duration.ofSeconds(15)).withMaxRetries(30);
    try (EpClient ep = EpClient.connect(settings, cluster.clientConfig())) {
      EpConfig world = ep.world().config();
      for (long n = 0; running; n++) {
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + client * 7_919L + n);
        int[] tokens = new int[world.worldSize()];
        for (int r = 0; r < tokens.length; r++) {
          tokens[r] = rnd.nextInt(25);
        }
        List<HiddenStates> x = new ArrayList<>();
        List<Routing> routing = new ArrayList<>();
        for (RankInput in : Workloads.random(world, tokens, rnd.nextLong())) {
          x.add(in.x());
          routing.add(in.routing());
        }
        long invokedMs = history.nowMs();
        ObjectNode invoke = history.event("invoke").put("client", client).put("req", n);
        history.write(invoke);
        ObjectNode end;
        try {
          StepResult res = ep.submit(new StepRequest(x, routing, ExpertKernelSpec.scale(), null)).toCompletableFuture()
              .get(BOUND.toSeconds(), TimeUnit.SECONDS);
          String wrong = ScaleOracle.mismatch(world.experts(), x, routing, res.outputs());
          end = history.event("ok").put("generation", res.generation()).put("seq", res.seq()).put("attempts", res.attempts())
              .put("mode", res.mode().name()).put("right", wrong == null);
          if (wrong != null) {
            end.put("wrong", wrong);
          }
          lastOkInvokedMs.accumulateAndGet(invokedMs, Math::max);
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          String kind = cause instanceof RetriableStepException ? "retriable" : cause instanceof StepRejectedException ? "rejected" : "other";
          end = history.event("fail").put("error", kind).put("detail", String.valueOf(cause));
        } catch (TimeoutException e) {
          end = history.event("timeout");
        }
        history.write(end.put("client", client).put("req", n));
      }
    } catch (Throwable t) {
      synchronized (errors) {
        errors.add(t);
      }
    }
  }

  /** Whether a step invoked at or after {@code ms} (history time) has succeeded. */
  boolean okSince(long ms) {
    return lastOkInvokedMs.get() >= ms;
  }

  /** Lets every client finish its step, then closes them; returns what went wrong outside steps. */
  List<Throwable> stop() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(BOUND.plusSeconds(30).toMillis());
    }
    return errors;
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
