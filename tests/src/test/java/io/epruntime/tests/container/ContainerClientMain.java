package io.epruntime.tests.container;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.epruntime.cli.run.OutputComparator;
import io.epruntime.client.ClientSettings;
import io.epruntime.client.EpClient;
import io.epruntime.client.StepRequest;
import io.epruntime.client.StepResult;
import io.epruntime.engine.ExpertKernel;
import io.epruntime.engine.RankInput;
import io.epruntime.engine.ReferenceEngine;
import io.epruntime.engine.Workloads;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.ep.Routing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The client half of the container test, run in its own JVM so that the pods' DNS names resolve
 * through {@code -Djdk.net.hosts.file} (the cluster DNS a client pod would have) without touching
 * the test JVM's resolver. Connects with {@link EpClient}, runs steps of seeded inputs whose token
 * counts straddle the LL capacity (so both modes run), checks every output against
 * {@link ReferenceEngine}, prints one line per step and {@code RESULT ok=<n> failed=<m>}.
 * Retriable failures are retried by {@code EpClient} itself (its default {@code maxRetries}); a
 * step line says how many attempts it took, in which generation it completed and when
 * ({@code at_ms}, wall clock), so that a test can line steps up with what it did to the pods.
 *
 * <p>Arguments: {@code <gateways,comma-separated> <client host> <steps> <seed> [<stop file>]}. With
 * a stop file, {@code steps} is a minimum: steps go on, one after another, until the file exists.
 */
public final class ContainerClientMain {
  private ContainerClientMain() {}

  public static void main(String[] args) {
    int exit = 1;
    try {
      exit = run(args);
    } catch (Throwable t) {
      System.out.println("CLIENT-FAILED " + t);
      t.printStackTrace(System.out);
    } finally {
      System.out.flush();
      // Pekko's and Aeron's threads are not daemons: leave even when something above went wrong.
      System.exit(exit);
    }
  }

  private static int run(String[] args) {
    List<String> gateways = Arrays.asList(args[0].split(","));
    String host = args[1];
    int steps = Integer.parseInt(args[2]);
    long seed = Long.parseLong(args[3]);
    Path stopFile = args.length > 4 ? Path.of(args[4]) : null;
    Config config = ConfigFactory.parseMap(Map.of("ep.client.host", host, "ep.transport.bind-host", host)).withFallback(ConfigFactory.load());
    ClientSettings settings = ClientSettings.of(gateways).withConnectTimeout(Duration.ofSeconds(120)).withStepTimeout(Duration.ofSeconds(60));
    int ok = 0;
    int failed = 0;
    EpClient client;
    try {
      client = EpClient.connect(settings, config);
    } catch (RuntimeException e) {
      System.out.println("CONNECT-FAILED " + e);
      return 1;
    }
    try {
      EpConfig world = client.world().config();
      System.out.println("CONNECTED generation=" + client.world().generation() + " world=" + world);
      ReferenceEngine reference = new ReferenceEngine(world);
      List<ExpertKernelSpec> kernels = List.of(ExpertKernelSpec.scale(), ExpertKernelSpec.identity(), ExpertKernelSpec.swiglu(seed, 64));
      for (int s = 0; s < steps || stopFile != null && !Files.exists(stopFile); s++) {
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + s);
        int[] tokens = new int[world.worldSize()];
        for (int r = 0; r < tokens.length; r++) {
          // Even steps exceed the LL capacity on some rank (HT), odd steps fit it (LL).
          tokens[r] = s % 2 == 0 ? world.llMaxTokensPerRank() + 1 + rnd.nextInt(64) : 1 + rnd.nextInt(world.llMaxTokensPerRank());
        }
        List<HiddenStates> xs = new ArrayList<>();
        List<Routing> routings = new ArrayList<>();
        for (RankInput in : Workloads.random(world, tokens, rnd.nextLong())) {
          xs.add(in.x());
          routings.add(in.routing());
        }
        ExpertKernelSpec kernel = kernels.get(s % kernels.size());
        try {
          // Bounded generously: one attempt may hang until a lost rank is noticed, and a retry waits
          // (up to the connect time-out) for the next generation to be Ready.
          StepResult result = client.submit(new StepRequest(xs, routings, kernel, null)).toCompletableFuture()
              .get(settings.connectTimeout().plus(settings.stepTimeout()).toSeconds(), TimeUnit.SECONDS);
          List<HiddenStates> expected = reference.runStep(result.mode(), ExpertKernel.of(kernel, world), xs, routings);
          String mismatch = OutputComparator.mismatch(expected, result.outputs(), world.dtype(), result.mode());
          if (mismatch == null) {
            ok++;
            System.out.println("STEP " + s + " ok mode=" + result.mode() + " kernel=" + kernel.name() + " tokens=" + Arrays.toString(tokens)
                + " generation=" + result.generation() + " attempts=" + result.attempts() + " latency_ms=" + result.latencyNanos() / 1_000_000
                + " at_ms=" + System.currentTimeMillis());
          } else {
            failed++;
            System.out.println("STEP " + s + " MISMATCH mode=" + result.mode() + " kernel=" + kernel.name() + " generation=" + result.generation()
                + " attempts=" + result.attempts() + ": " + mismatch);
          }
        } catch (Exception e) {
          failed++;
          System.out.println("STEP " + s + " ERROR " + e);
        }
      }
    } finally {
      try {
        client.close();
      } catch (RuntimeException | Error e) {
        System.out.println("CLOSE-FAILED " + e);
      }
    }
    System.out.println("RESULT ok=" + ok + " failed=" + failed);
    return failed == 0 && ok >= steps ? 0 : 1;
  }
}
