package io.epruntime.tests.k8s;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root (the directory holding {@code deploy/k8s}) from the test's working directory. */
public final class RepoPaths {
  private RepoPaths() {}

  /** The repository root; the system property {@code ep.repo.root} overrides the search. */
  public static Path root() {
    String configured = System.getProperty("ep.repo.root");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("deploy/k8s/base"))) {
        return p;
      }
    }
    throw new IllegalStateException("no deploy/k8s/base above " + Path.of("").toAbsolutePath() + "; set -Dep.repo.root");
  }

  /** {@code deploy/k8s/overlays/<name>} of the repository. */
  public static Path overlay(String name) {
    return root().resolve("deploy/k8s/overlays").resolve(name);
  }
}
