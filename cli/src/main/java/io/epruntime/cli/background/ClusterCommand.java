package io.epruntime.cli.background;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ep cluster}: the parent of {@code up}, {@code status} and {@code down}. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = "A local cluster that stays up: 'ep cluster up' starts N ranks in the background and returns once the "
        + "world is Ready, printing the gateway to connect to; 'ep cluster status' shows it; 'ep cluster restart --rank R' restarts one rank; "
        + "'ep cluster down' stops it.",
    subcommands = {ClusterUpCommand.class, ClusterStatusCommand.class, ClusterRestartCommand.class, ClusterDownCommand.class},
    exitCodeList = {"  2:usage error: a subcommand (up, status, restart, down) is required; each lists its own exit codes"})
public final class ClusterCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a subcommand is required: up, status, restart or down");
  }
}
