package io.epruntime.cli.background;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ep cluster down}: stops the ranks {@code ep cluster up} started, cleanly. */
@Command(
    name = "down",
    mixinStandardHelpOptions = true,
    description = "Stop the ranks 'ep cluster up' started: SIGTERM (each leaves the cluster and removes its Aeron directory), "
        + "SIGKILL for any still running after --grace seconds. Nothing up is not an error.",
    exitCodeList = {"  0:no rank of the cluster runs any more", "  2:usage error: unknown flag or bad value"})
public final class ClusterDownCommand implements Callable<Integer> {
  @Mixin ClusterDirs dirs;

  @Option(names = "--grace", defaultValue = "30", description = "Seconds each rank has to stop by itself (default: ${DEFAULT-VALUE}).")
  long graceSeconds;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Path home = dirs.resolve();
    Optional<BackgroundCluster> cluster = BackgroundCluster.read(home);
    if (cluster.isEmpty()) {
      out.println("ep cluster: no cluster is up in " + home);
      return 0;
    }
    int running = cluster.get().running().size();
    int killed = cluster.get().stop(Duration.ofSeconds(Math.max(1, graceSeconds)));
    out.println("ep cluster: stopped " + running + " rank(s)" + (killed > 0 ? ", " + killed + " of them with SIGKILL" : "")
        + "; logs in " + home);
    out.flush();
    return 0;
  }
}
