package io.epruntime.tests.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.epruntime.tests.k8s.RepoPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Issue 6's pod contract, run for real: the cpu overlay's StatefulSet started as containers of the
 * offline-built image, steps from EpClient checked against ReferenceEngine, then one pod deleted
 * (SIGTERM, grace period) and recreated under the same name, and steps checked again.
 *
 * <p>Needs Docker. Without it the test is skipped, except under {@code CI=true}, where it fails:
 * CI must run it (.ci/docker-up.sh provides the engine).
 */
@Tag("container")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class PodContractContainerTest {
  private static final int STEPS = 6;
  /** Pod 0 is the oldest member, so deleting it also moves the coordinator singleton. */
  private static final int DELETED_ORDINAL = Integer.getInteger("ep.container.deleteOrdinal", 0);

  @BeforeAll
  static void quietDockerClientLogs() {
    // The tests module has no logging config of its own: without this, docker-java logs every HTTP
    // exchange with the engine at DEBUG (megabytes per run). Pod and client logs go to files anyway.
    for (String name : List.of("org.testcontainers", "com.github.dockerjava", "org.testcontainers.shaded")) {
      if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
        logger.setLevel(ch.qos.logback.classic.Level.WARN);
      }
    }
  }

  @Test
  void podsFormAWorldServeCorrectStepsAndRecoverFromAPodDeletion() throws Exception {
    requireDocker();
    Path workDir = Files.createDirectories(RepoPaths.root().resolve("tests/target/container-test/" + System.currentTimeMillis()));
    buildImage(workDir);
    PodTemplate template = PodTemplate.ofOverlay("cpu");
    int remoting = template.container().getPorts().stream().filter(p -> "remoting".equals(p.getName())).findFirst().orElseThrow().getContainerPort();
    List<String> gateways = new ArrayList<>();
    for (int i = 0; i < template.replicas(); i++) {
      gateways.add(template.dnsNames(i).get(0) + ":" + remoting);
    }
    try (PodSet pods = PodSet.create(template, workDir)) {
      long t0 = System.nanoTime();
      pods.startAll(Duration.ofMinutes(5));
      long formedMs = (System.nanoTime() - t0) / 1_000_000;

      ClientRun before = ClientRun.run(workDir, "client-before", pods.hostsFile(), gateways, pods.gatewayIp(), STEPS, 11, Duration.ofMinutes(4));
      assertAllStepsCorrect(before);

      long t1 = System.nanoTime();
      long exitCode = pods.delete(DELETED_ORDINAL);
      long stoppedMs = (System.nanoTime() - t1) / 1_000_000;
      assertNotEquals(137L, exitCode, "pod " + DELETED_ORDINAL + " had to be killed: it did not stop within the grace period after SIGTERM");
      long t2 = System.nanoTime();
      pods.start(DELETED_ORDINAL, Duration.ofMinutes(5));
      long readyAgainMs = (System.nanoTime() - t2) / 1_000_000;

      ClientRun after = ClientRun.run(workDir, "client-after", pods.hostsFile(), gateways, pods.gatewayIp(), STEPS, 12, Duration.ofMinutes(4));
      assertAllStepsCorrect(after);
      assertTrue(generation(after) > generation(before), "the recreated pod must have joined a new generation: before " + generation(before) + ", after " + generation(after));
      System.out.printf("container pod contract: %d pods ready in %d ms; pod %d stopped in %d ms (exit %d) and was ready again %d ms after re-creation;"
          + " %d steps verified before, %d after (logs in %s)%n",
          template.replicas(), formedMs, DELETED_ORDINAL, stoppedMs, exitCode, readyAgainMs, STEPS, STEPS, workDir);
    }
  }

  private static void assertAllStepsCorrect(ClientRun run) {
    assertEquals(0, run.exitCode(), "client: " + run.summary() + "\n" + String.join("\n", run.lines()));
    assertEquals(STEPS, run.steps("ok").size(), "client: " + run.summary());
    // Both modes ran: even steps overflow the LL capacity (HT), odd ones fit it (LL).
    assertTrue(run.steps("ok").stream().anyMatch(l -> l.contains("mode=HT")), "no HT step: " + run.lines());
    assertTrue(run.steps("ok").stream().anyMatch(l -> l.contains("mode=LL")), "no LL step: " + run.lines());
  }

  private static long generation(ClientRun run) {
    return run.lines().stream().filter(l -> l.startsWith("CONNECTED generation=")).findFirst()
        .map(l -> Long.parseLong(l.substring("CONNECTED generation=".length()).split(" ")[0])).orElse(-1L);
  }

  private static void requireDocker() {
    String problem = null;
    try {
      DockerClientFactory.instance().client();
    } catch (RuntimeException e) {
      problem = e.toString();
    }
    if (problem != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("CI=true but no Docker engine is usable (" + problem + "): the container suites must run in CI (run .ci/docker-up.sh first)");
      }
      Assumptions.abort("no Docker engine usable (" + problem + "): container test skipped (run .ci/docker-up.sh to run it)");
    }
  }

  /** Builds (or finds up to date) the image the overlay names, with the idempotent deploy/image/build.sh. */
  private static void buildImage(Path workDir) throws Exception {
    if (Boolean.getBoolean("ep.image.prebuilt")) {
      return;
    }
    Path log = workDir.resolve("image-build.log");
    Process p = new ProcessBuilder("bash", RepoPaths.root().resolve("deploy/image/build.sh").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("deploy/image/build.sh did not finish in 10 minutes; see " + log);
    }
    String out = Files.readString(log);
    System.out.print(out);
    assertEquals(0, p.exitValue(), "deploy/image/build.sh failed: " + out);
  }
}
