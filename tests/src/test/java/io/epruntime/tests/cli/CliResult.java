package io.epruntime.tests.cli;

import io.epruntime.cli.EpCli;
import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process {@code ep} invocation: its exit code and what it printed. */
record CliResult(int exitCode, String out, String err) {

  static CliResult run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = EpCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new CliResult(code, out.toString(), err.toString());
  }

  /** The last line of stdout that is a JSON object. */
  String jsonLine() {
    String[] lines = out.split("\\R");
    for (int i = lines.length - 1; i >= 0; i--) {
      if (lines[i].startsWith("{") && lines[i].endsWith("}")) {
        return lines[i];
      }
    }
    throw new AssertionError("no JSON line on stdout:\n" + out + "\nstderr:\n" + err);
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
