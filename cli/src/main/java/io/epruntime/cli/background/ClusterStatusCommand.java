package io.epruntime.cli.background;

import io.epruntime.cli.CliException;
import io.epruntime.cli.status.StatusCommand;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ep cluster status}: the processes {@code ep cluster up} started, and the world as the coordinator sees it. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show the ranks 'ep cluster up' started (pid, running or not, log) and the world's state, as 'ep status' does.",
    exitCodeList = {
      "  0:the status was printed",
      "  2:usage error: unknown flag or bad value",
      "  3:no cluster is up in --dir, or its world did not answer or is not Ready"
    })
public final class ClusterStatusCommand implements Callable<Integer> {
  @Mixin ClusterDirs dirs;

  @Option(names = "--timeout", defaultValue = "15", description = "Seconds to wait for the world's answer (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Path home = dirs.resolve();
    BackgroundCluster cluster = BackgroundCluster.read(home)
        .orElseThrow(() -> CliException.cluster("no cluster is up in " + home + "; 'ep cluster up' starts one"));
    out.println("ep cluster: " + cluster.ranks().size() + " ranks, " + cluster.backend() + " backend, gateway "
        + cluster.gateways().get(0) + "; logs in " + home);
    for (BackgroundCluster.Rank r : cluster.ranks()) {
      out.printf("  rank %d  pid %d  %s  %s%n", r.rank(), r.pid(), r.process().isPresent() ? "running" : "gone   ", r.log());
    }
    out.flush();
    return StatusCommand.show(cluster.gateways(), cluster.clientConfig(), timeoutSeconds, false, out);
  }
}
