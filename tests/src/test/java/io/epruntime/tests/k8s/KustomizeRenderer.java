package io.epruntime.tests.k8s;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization directory to multi-document YAML: with {@code kubectl kustomize} when a
 * kubectl with kustomize v4+ is on the PATH, otherwise with {@link SubsetKustomize}, which covers
 * exactly the features deploy/k8s uses (and the equivalence test holds it to kubectl's output).
 */
public final class KustomizeRenderer {
  private KustomizeRenderer() {}

  /** A rendering and the tool that made it. */
  public record Rendering(String yaml, String renderedBy) {}

  /** Renders {@code dir} with kubectl where possible, else with the built-in subset renderer. */
  public static Rendering render(Path dir) {
    Optional<String> kubectl = withKubectl(dir);
    if (kubectl.isPresent()) {
      return new Rendering(kubectl.get(), "kubectl kustomize");
    }
    return new Rendering(SubsetKustomize.render(dir), "SubsetKustomize (kubectl not found: " + kubectlMissingReason() + ")");
  }

  /**
   * The output of {@code kubectl kustomize dir}, exactly as a user types it (no flags, so kustomize
   * reads nothing outside the kustomization's root), or empty when no usable kubectl exists.
   */
  public static Optional<String> withKubectl(Path dir) {
    if (kubectlMissingReason() != null) {
      return Optional.empty();
    }
    Result r = run(List.of("kubectl", "kustomize", dir.toString()));
    if (r.exitCode != 0) {
      throw new IllegalStateException("kubectl kustomize " + dir + " failed (exit " + r.exitCode + "):\n" + r.stderr);
    }
    return Optional.of(r.stdout);
  }

  /** Why kubectl cannot render here, or null when it can. */
  public static String kubectlMissingReason() {
    boolean onPath = false;
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      onPath |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, "kubectl"));
    }
    if (!onPath) {
      return "no kubectl on PATH";
    }
    Result help = run(List.of("kubectl", "kustomize", "--help"));
    if (help.exitCode != 0 || !help.stdout.contains("load-restrictor")) {
      return "this kubectl's kustomize is older than v4 (kubectl older than 1.21)";
    }
    return null;
  }

  private record Result(int exitCode, String stdout, String stderr) {}

  private static Result run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).start();
      p.getOutputStream().close();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread errReader = new Thread(() -> copy(p.getErrorStream(), err), "kubectl-stderr");
      errReader.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish in 60 s");
      }
      errReader.join();
      return new Result(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(127, "", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try {
      in.transferTo(out);
    } catch (IOException ignored) {
      // The process died; its exit code tells the story.
    }
  }
}
