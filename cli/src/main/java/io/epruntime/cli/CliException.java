package io.epruntime.cli;

/**
 * A failure the person at the terminal can act on: its message is the one line {@code ep} prints,
 * and its {@link ExitCode} is the status the process ends with. Thrown by subcommands; caught and
 * reported by {@link EpCli} only, so a stack trace never reaches the user for a known problem.
 */
public class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ExitCode exitCode;

  public CliException(ExitCode exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliException(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public ExitCode exitCode() {
    return exitCode;
  }

  /** An environment problem (exit 4): no GPU, port in use, missing library. */
  public static CliException environment(String message) {
    return new CliException(ExitCode.ENVIRONMENT, message);
  }

  /** The cluster failed to start or become Ready, or a rank died (exit 3). */
  public static CliException cluster(String message) {
    return new CliException(ExitCode.CLUSTER, message);
  }

  /** A bad flag value found after parsing, e.g. a combination of flags (exit 2). */
  public static CliException usage(String message) {
    return new CliException(ExitCode.USAGE, message);
  }
}
