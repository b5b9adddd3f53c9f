package io.epruntime.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.tests.k8s.RepoPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client guide's example as a new user runs it: {@code java -jar} of the examples module's jar,
 * with no JVM option, against a local 4-rank cluster. Every step matches the combine formula, and
 * the program logs no warning.
 */
class ExampleProgramTest extends LocalClusterTest {

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void theGuidesExampleRunsVerifiedStepsWithoutJvmOptions() throws Exception {
    cluster = new LocalCluster4("example-program", List.of());
    cluster.startAll();
    Path log = cluster.log("example");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
        examplesJar().toString(), cluster.gateways(0).get(0), "6")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(200, TimeUnit.SECONDS), "the example ends");
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("connected to [" + cluster.gateways(0).get(0) + "]: 4 ranks"), out);
    for (int i = 0; i < 6; i++) {
      assertTrue(out.contains("step " + i + ": seq "), "step " + i + " in:\n" + out);
    }
    assertFalse(out.contains(" WARN ") || out.contains(" ERROR "), out);
  }

  private static Path examplesJar() throws IOException {
    try (Stream<Path> files = Files.list(RepoPaths.root().resolve("examples/target"))) {
      return files.filter(f -> f.getFileName().toString().matches("ep-examples-.*\\.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("examples/target has no ep-examples jar: build the examples module first"));
    }
  }
}
