package io.epruntime.cli;

import io.epruntime.cli.background.ClusterCommand;
import io.epruntime.cli.bench.BenchCommand;
import io.epruntime.cli.chaos.ChaosCommand;
import io.epruntime.cli.keygen.KeygenCommand;
import io.epruntime.cli.node.NodeCommand;
import io.epruntime.cli.run.RunCommand;
import io.epruntime.cli.status.StatusCommand;
import io.epruntime.cli.weights.WeightsCommand;
import io.epruntime.client.InvalidArgumentException;
import io.epruntime.protocol.EpArgumentException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code ep} command: {@code run} (a verified workload on a local cluster), {@code node} (one
 * rank, as a container runs it), {@code status} (a running world) and {@code bench}. Every known
 * problem ends as one line on stderr and an {@link ExitCode}; only a bug shows a stack trace.
 */
@Command(
    name = "ep",
    mixinStandardHelpOptions = true,
    versionProvider = EpCli.Version.class,
    description = {
      "Mixture-of-Experts expert parallelism on the JVM.",
      "Start with 'ep run': a local cluster, a seeded workload, every step checked against the CPU reference."
    },
    subcommands = {RunCommand.class, ClusterCommand.class, NodeCommand.class, StatusCommand.class, BenchCommand.class,
        WeightsCommand.class, KeygenCommand.class, ChaosCommand.class, CommandLine.HelpCommand.class})
public final class EpCli implements Runnable {

  @Spec CommandSpec spec;

  /** Entry point of {@code ./ep} and of every rank process ({@code ep node}). */
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("node")) {
      // The node's own logging configuration, as NodeMain chooses it, unless the user gave one.
      if (System.getProperty("logback.configurationFile") == null && EpCli.class.getResource("/logback.xml") == null) {
        System.setProperty("logback.configurationFile", "ep-node-logback.xml");
      }
    } else {
      quietLibraryLogging();
    }
    // Initialise logging on this thread, before any library starts threads that log (else SLF4J
    // replays their early calls with a warning on stderr).
    org.slf4j.LoggerFactory.getILoggerFactory();
    // Benchmark records name the exact command that produced them.
    setIfAbsent("ep.command", "./ep " + String.join(" ", args));
    int code = execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    System.exit(code);
  }

  /** Runs one command line with the given streams and returns the exit status; used by tests in-process. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    return commandLine(out, err).execute(args);
  }

  /** The configured picocli tree: case-insensitive enum values, our error handlers, exit codes in every help. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new EpCli());
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(EpCli::onBadArguments);
    cl.setExecutionExceptionHandler(EpCli::onFailure);
    addExitCodes(cl);
    return cl;
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a command is required: run, cluster, node, status, bench, weights, keygen, chaos or help");
  }

  private static void addExitCodes(CommandLine cl) {
    Map<String, String> codes = new LinkedHashMap<>();
    for (ExitCode c : ExitCode.values()) {
      codes.put(String.format("%3d", c.code()), c.meaning());
    }
    // A command that lists its own exit codes (ep node, ep status) keeps them.
    if (cl.getCommandSpec().usageMessage().exitCodeList().isEmpty()) {
      cl.getCommandSpec().usageMessage().exitCodeList(codes);
    }
    cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n");
    cl.getCommandSpec().exitCodeOnInvalidInput(ExitCode.USAGE.code());
    for (CommandLine sub : cl.getSubcommands().values()) {
      addExitCodes(sub);
    }
  }

  /** One line naming the bad flag or value (picocli's messages list enum values), and where help is. */
  private static int onBadArguments(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String name = cmd.getCommandSpec().qualifiedName();
    StringBuilder line = new StringBuilder(name).append(": ").append(e.getMessage());
    if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      line.append(" (did you mean ").append(String.join(" or ", u.getSuggestions())).append("?)");
    }
    line.append("; see '").append(name).append(" --help'");
    err.println(line);
    err.flush();
    return ExitCode.USAGE.code();
  }

  private static int onFailure(Exception e, CommandLine cmd, ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    String name = cmd.getCommandSpec().qualifiedName();
    int code;
    if (e instanceof CliException c) {
      err.println(name + ": " + c.getMessage());
      code = c.exitCode().code();
    } else if (e instanceof EpArgumentException || e instanceof InvalidArgumentException) {
      err.println(name + ": " + e.getMessage() + "; see '" + name + " --help'");
      code = ExitCode.USAGE.code();
    } else {
      err.println(name + ": unexpected error (a bug; please report it with the trace below): " + e);
      e.printStackTrace(err);
      code = ExitCode.MISMATCH.code();
    }
    err.flush();
    return code;
  }

  /**
   * Keeps library chatter (Pekko, Aeron) off the terminal in the CLI's own process: the summary and
   * the JSON line on stdout must stay clean. Rank processes log normally into their log files.
   */
  private static void quietLibraryLogging() {
    setIfAbsent("logback.configurationFile", "ep-cli-logback.xml");
    setIfAbsent("pekko.loglevel", "ERROR");
    setIfAbsent("pekko.stdout-loglevel", "OFF");
    setIfAbsent("pekko.log-dead-letters", "off");
    setIfAbsent("pekko.log-dead-letters-during-shutdown", "off");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** {@code ep --version}: the jar's implementation version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = EpCli.class.getPackage().getImplementationVersion();
      return new String[] {"ep " + (v == null ? "(development build)" : v) + ", Java " + System.getProperty("java.version")};
    }
  }
}
