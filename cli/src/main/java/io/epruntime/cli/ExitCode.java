package io.epruntime.cli;

/**
 * The exit statuses of {@code ep}, one per kind of outcome a script may want to branch on. They are
 * listed in {@code ep --help} and docs/cli.md; keep the three in step.
 */
public enum ExitCode {
  /** Everything ran and every step was verified against the CPU reference. */
  OK(0, "success: every step ran and matched the CPU reference"),
  /** The run finished, but a step's result differed from the reference or could not be verified. */
  MISMATCH(1, "a step mismatched the CPU reference, failed, or was not verified (also: an unexpected error)"),
  /** The command line was wrong: unknown flag, bad value, missing argument. */
  USAGE(2, "usage error: unknown flag or bad value (the message names the allowed values)"),
  /** The local cluster did not start, did not become Ready in time, or a rank process died. */
  CLUSTER(3, "the cluster did not start or become Ready in time, or a rank process died"),
  /** This machine cannot do what was asked: no GPU for --backend nccl, a port in use, a missing native library. */
  ENVIRONMENT(4, "environment problem: no GPU for --backend nccl, port in use, missing native library or NCCL");

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  public int code() {
    return code;
  }

  public String meaning() {
    return meaning;
  }

  /** Picocli's {@code exitCodeList} lines, "code:meaning". */
  static String[] helpLines() {
    ExitCode[] all = values();
    String[] lines = new String[all.length];
    for (int i = 0; i < all.length; i++) {
      lines[i] = all[i].code + ":" + all[i].meaning;
    }
    return lines;
  }
}
