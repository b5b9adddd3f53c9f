package io.epruntime.cli.chaos;

import io.epruntime.chaos.ChaosRun;
import io.epruntime.cli.CliException;
import io.epruntime.cli.ExitCode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ep chaos}: a long seeded chaos run (docs/chaos.md), the one CI runs short: four rank
 * processes in network namespaces under two verifying clients, every fault kind {@code --rounds}
 * times, then the history checked. Exits 0 only when every step ended right or provably unapplied
 * and every fault kind was followed by verified steps; a failure prints the seed that replays it.
 */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a seeded schedule of faults (loss, partitions, kill -9, SIGSTOP, a slow rank, coordinator loss, hostile traffic)",
      "against a 4-rank cluster under verifying load, then checks the whole history. Needs root (network namespaces)."
    })
public final class ChaosCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--seed", description = "Seed of the schedule and the load; the same seed replays a run (default: from the clock).")
  Long seed;

  @Option(names = "--rounds", defaultValue = "3", description = "How many times every fault kind runs, 1..1000 (default ${DEFAULT-VALUE}; one round takes about 3 minutes).")
  int rounds;

  @Option(names = "--dir", defaultValue = "target/chaos", description = "Where the nodes' logs and the history go; a directory per seed under it (default ${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--report", description = "Also write the run's report (JSON, as in bench/results/chaos-*.json) to this file.")
  Path report;

  @Override
  public Integer call() throws Exception {
    if (rounds < 1 || rounds > 1000) {
      throw CliException.usage("--rounds = " + rounds + " is not allowed: 1..1000");
    }
    String missing = ChaosRun.unavailable();
    if (missing != null) {
      throw CliException.environment("ep chaos needs network namespaces, iptables and tc as root: " + missing);
    }
    long s = seed != null ? seed : System.currentTimeMillis() % 100_000;
    PrintWriter out = spec.commandLine().getOut();
    out.println("ep chaos: seed " + s + ", " + rounds + " rounds (replay: ep chaos --seed " + s + " --rounds " + rounds + ")");
    out.flush();
    Path runDir = dir.resolve(Long.toString(s));
    ChaosRun.Outcome outcome = ChaosRun.run(new ChaosRun.Options(s, rounds, runDir, report,
        "./ep chaos --seed " + s + " --rounds " + rounds + (report == null ? "" : " --report " + report)));
    out.println("  faults     " + outcome.faults());
    out.println("  resources  " + outcome.resources());
    out.println("  history    " + outcome.history().toAbsolutePath());
    List<String> problems = outcome.problems();
    if (problems.isEmpty()) {
      out.println("  result     OK: every step ended right or provably unapplied, every fault kind recovered within "
          + ChaosRun.RECOVERY_BOUND.toSeconds() + " s");
      out.flush();
      return ExitCode.OK.code();
    }
    out.println("  result     FAILED (seed " + s + "):");
    problems.forEach(p -> out.println("    " + p));
    out.flush();
    return ExitCode.MISMATCH.code();
  }
}
