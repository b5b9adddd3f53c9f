package io.epruntime.cli.background;

import io.epruntime.cli.CliException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --dir} of every {@code ep cluster} command: where the state file and the rank logs are,
 * by default target/ep-cluster of the project.
 */
final class ClusterDirs {
  @Option(names = "--dir", description = "The cluster's directory: its state file and rank logs (default: target/ep-cluster "
      + "in the project).")
  Path dir;

  /** The directory, created when missing, as an absolute path. */
  Path resolve() {
    return of(dir);
  }

  /** What to add to a printed command so that it names the same directory. */
  String flag() {
    return dir == null ? "" : " --dir " + dir;
  }

  static Path of(Path requested) {
    Path dir = requested != null ? requested : projectHome().resolve("target").resolve("ep-cluster");
    try {
      return Files.createDirectories(dir).toAbsolutePath();
    } catch (IOException e) {
      throw CliException.environment("cannot create " + dir + " (--dir): " + e.getMessage());
    }
  }

  /** The project root {@code ./ep} passes as {@code ep.home}, else the working directory. */
  private static Path projectHome() {
    String home = System.getProperty("ep.home");
    return home != null && !home.isBlank() ? Path.of(home) : Path.of("").toAbsolutePath();
  }
}
