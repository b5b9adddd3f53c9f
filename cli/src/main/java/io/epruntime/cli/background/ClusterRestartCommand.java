package io.epruntime.cli.background;

import io.epruntime.cli.CliException;
import io.epruntime.client.ClientSettings;
import io.epruntime.client.ClusterStatus;
import io.epruntime.client.EpClient;
import io.epruntime.client.EpClientException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ep cluster restart --rank R}: stops rank R if it still runs and starts it again with the
 * same command and ports, as a StatefulSet restarts a pod; returns once the world is Ready in a
 * newer generation with it.
 */
@Command(
    name = "restart",
    mixinStandardHelpOptions = true,
    description = "Restart one rank of the cluster 'ep cluster up' started (SIGTERM if it still runs, then the same command "
        + "on the same ports) and wait until the world is Ready again in a newer generation.",
    exitCodeList = {
      "  0:the rank runs again and the world is Ready in a newer generation",
      "  2:usage error: unknown flag, or no such rank",
      "  3:no cluster is up in --dir, or the world did not become Ready again in time"
    })
public final class ClusterRestartCommand implements Callable<Integer> {
  private static final Duration POLL = Duration.ofMillis(500);

  @Option(names = "--rank", required = true, description = "The rank to restart.")
  int rank;

  @Mixin ClusterDirs dirs;

  @Option(names = "--grace", defaultValue = "30", description = "Seconds a running rank has to stop by itself (default: ${DEFAULT-VALUE}).")
  long graceSeconds;

  @Option(names = "--ready-timeout", defaultValue = "180", description = "Seconds to wait for a Ready world (default: ${DEFAULT-VALUE}).")
  long readyTimeoutSeconds;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Path home = dirs.resolve();
    BackgroundCluster cluster = BackgroundCluster.read(home)
        .orElseThrow(() -> CliException.cluster("no cluster is up in " + home + "; 'ep cluster up' starts one"));
    if (rank < 0 || rank >= cluster.ranks().size()) {
      throw CliException.usage("--rank = " + rank + " is not allowed; allowed: 0.." + (cluster.ranks().size() - 1));
    }
    BackgroundCluster.Rank old = cluster.ranks().get(rank);
    long before = generation(cluster);
    BackgroundCluster.stop(List.of(old), Duration.ofSeconds(Math.max(1, graceSeconds)));
    BackgroundCluster.Rank started = BackgroundCluster.start(rank, old.command(), old.environment(), old.log());
    BackgroundCluster restarted = cluster.with(started);
    restarted.write();
    long generation = awaitNewerGeneration(restarted, before);
    PrintWriter out = spec.commandLine().getOut();
    out.println("ep cluster: rank " + rank + " restarted (pid " + started.pid() + "); world Ready again, generation " + generation);
    out.flush();
    return 0;
  }

  /** The world's current generation, or -1 when it does not answer (say, a one-rank world whose rank is gone). */
  private static long generation(BackgroundCluster cluster) {
    ClientSettings settings = ClientSettings.of(cluster.gateways()).withConnectTimeout(Duration.ofSeconds(5))
        .withStepTimeout(Duration.ofSeconds(5));
    try (EpClient client = EpClient.connect(settings, cluster.clientConfig())) {
      return client.status().toCompletableFuture().get(10, TimeUnit.SECONDS).generation();
    } catch (EpClientException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Waits (the client's own waits, then a status every {@link #POLL}) until the world is Ready past {@code before}. */
  private long awaitNewerGeneration(BackgroundCluster cluster, long before) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(readyTimeoutSeconds);
    ClientSettings settings = ClientSettings.of(cluster.gateways()).withConnectTimeout(Duration.ofSeconds(readyTimeoutSeconds));
    try (EpClient client = EpClient.connect(settings, cluster.clientConfig())) {
      while (System.nanoTime() < deadline) {
        try {
          ClusterStatus s = client.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
          if (s.worldState().equals("ready") && s.generation() > before) {
            return s.generation();
          }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          // the gateway's node may be the one restarting; the client asks the next one
        }
        LockSupport.parkNanos(POLL.toNanos());
      }
    } catch (EpClientException e) {
      throw CliException.cluster("rank " + rank + " was restarted but " + e.getMessage() + "; rank logs in " + cluster.dir());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw CliException.cluster("rank " + rank + " was restarted but the world was not Ready in a generation after " + before
        + " within " + readyTimeoutSeconds + " s; rank logs in " + cluster.dir());
  }
}
