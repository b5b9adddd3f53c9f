package io.epruntime.cli.background;

import io.epruntime.cli.CliException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where {@code ep cluster} keeps its state and logs: {@code --dir}, else target/ep-cluster of the project. */
final class ClusterDirs {
  private ClusterDirs() {}

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
