package io.epruntime.examples;

import io.epruntime.client.ClientSettings;
import io.epruntime.client.EpClient;
import io.epruntime.client.EpClientException;
import io.epruntime.client.RetriableStepException;
import io.epruntime.client.StepInputs;
import io.epruntime.client.StepRequest;
import io.epruntime.client.StepResult;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;

/**
 * The client guide's example (docs/client.md): connects to a running ep cluster, submits steps of
 * random tokens and routings, reads every rank's output, checks it against the combine formula
 * {@code out[t] = sum over k of w[t,k] * expert_k(x[t])}, and closes.
 *
 * <pre>java -jar examples/target/ep-examples-0.1.0-SNAPSHOT.jar [gateway host:port] [steps]</pre>
 */
public final class QuickStart {
  /** Submissions of one step after the client's own retries gave up on a changed world. */
  private static final int RESUBMISSIONS = 3;

  private QuickStart() {}

  public static void main(String[] args) {
    List<String> gateways = List.of(args.length > 0 ? args[0] : "127.0.0.1:17355");
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    // Defaults: 60 s to connect, 30 s per attempt, 16 steps in flight, 3 retries of a step whose
    // world changed under it, NaN and infinities in x refused before sending.
    ClientSettings settings = ClientSettings.of(gateways).withConnectTimeout(Duration.ofSeconds(120));
    try (EpClient client = EpClient.connect(settings)) {
      EpConfig world = client.world().config();
      System.out.printf("connected to %s: %d ranks, %d experts, hidden %d, top-%d, %s, generation %d%n", gateways,
          world.worldSize(), world.experts(), world.hidden(), world.topk(), world.dtype(), client.world().generation());
      Random random = new Random(42);
      for (int i = 0; i < steps; i++) {
        StepRequest request = randomStep(world, random);
        StepResult result = submit(client, request);
        double error = CombineFormula.maxError(world, request, result.outputs());
        System.out.printf("step %d: seq %d, %s, generation %d, %d attempt(s), %.2f ms, max error %.2e of the terms' size%n",
            i, result.seq(), result.mode(), result.generation(), result.attempts(), result.latencyNanos() / 1e6, error);
        if (error > CombineFormula.tolerance(world)) {
          throw new IllegalStateException("step " + i + " differs from the combine formula by " + error);
        }
      }
    }
  }

  /**
   * Submits a step and waits for it. The client retries a step whose world changed on its own
   * ({@code maxRetries}); when those run out, or the world was not Ready again in time, the step
   * fails with a {@link RetriableStepException} (no result was produced) and may be submitted again.
   * Every other {@link EpClientException} means the request or the set-up needs fixing.
   */
  static StepResult submit(EpClient client, StepRequest request) {
    for (int submission = 1; ; submission++) {
      try {
        return client.submit(request).toCompletableFuture().join(); // every step ends within its time-outs
      } catch (CompletionException e) {
        if (e.getCause() instanceof RetriableStepException retriable && submission < RESUBMISSIONS) {
          System.out.printf("step not run in generation %d (%s); submitting it again%n", retriable.generation(), retriable.getMessage());
        } else if (e.getCause() instanceof EpClientException failure) {
          throw failure;
        } else {
          throw e;
        }
      }
    }
  }

  /**
   * One step: per rank 1..8 tokens of random hidden states, each routed to {@code topk} distinct
   * experts with random weights, about one slot in ten masked (expert -1); experts compute
   * {@code scale}, {@code y = x * (1 + e / E)}.
   */
  static StepRequest randomStep(EpConfig world, Random random) {
    List<HiddenStates> x = new ArrayList<>();
    List<Routing> routing = new ArrayList<>();
    for (int r = 0; r < world.worldSize(); r++) {
      int tokens = 1 + random.nextInt(8);
      float[] values = new float[tokens * world.hidden()];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) random.nextGaussian();
      }
      x.add(StepInputs.hiddenStates(world.dtype(), tokens, world.hidden(), values)); // rounded once to the world's dtype
      long[] experts = new long[tokens * world.topk()];
      float[] weights = new float[experts.length];
      for (int t = 0; t < tokens; t++) {
        List<Long> chosen = new ArrayList<>();
        for (int k = 0; k < world.topk(); k++) {
          long e;
          do {
            e = random.nextInt(world.experts());
          } while (chosen.contains(e));
          chosen.add(e);
          boolean masked = random.nextInt(10) == 0;
          experts[t * world.topk() + k] = masked ? -1 : e;
          weights[t * world.topk() + k] = masked ? 0f : random.nextFloat();
        }
      }
      routing.add(StepInputs.routing(tokens, world.topk(), experts, weights));
    }
    return new StepRequest(x, routing, StepInputs.kernel("scale"), null); // null: the coordinator picks HT or LL
  }
}
