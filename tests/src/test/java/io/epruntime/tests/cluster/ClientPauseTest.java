package io.epruntime.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.client.ClientSettings;
import io.epruntime.client.EpClient;
import io.epruntime.tests.container.ContainerClientMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client process frozen with SIGSTOP for longer than Aeron's 10 s liveness checks, as a paused
 * container or a long GC would leave it: the other client's steps go on meanwhile, and the frozen
 * one, resumed, carries on by itself (its media driver and client survive the pause) and every
 * step it runs still matches the reference.
 */
class ClientPauseTest extends LocalClusterTest {
  private static final Duration PAUSE = Duration.ofSeconds(15);

  @Test
  @Timeout(value = 360, unit = TimeUnit.SECONDS)
  void aClientFrozenFifteenSecondsResumesByItselfAndOthersAreNotHeldUp() throws Exception {
    cluster = new LocalCluster4("client-pause", List.of()).withTls();
    cluster.startAll();
    Path dir = Path.of("target", "cluster-logs", "client-pause");
    Path stop = dir.resolve("stop");
    Files.deleteIfExists(stop);
    Path log = dir.resolve("paused-client.log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/java.util.zip=ALL-UNNAMED", "-Xmx256m",
        "-Dep.security.key-store=" + cluster.keyStore(), "-cp", System.getProperty("java.class.path"),
        ContainerClientMain.class.getName(), String.join(",", cluster.gateways(0, 1, 2, 3)), "127.0.0.1", "10", "7",
        stop.toAbsolutePath().toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("EP_KEY_STORE_PASSWORD", LocalCluster4.KEY_PASSWORD);
    Process paused = pb.start();
    try {
      LocalCluster4.await("the client to run 10 steps", Duration.ofSeconds(120), Duration.ofMillis(200), () -> steps(log) >= 10);
      signal(paused, "STOP");
      long stoppedAt = System.nanoTime();
      int before = steps(log);
      StepCheck check = new StepCheck();
      ClientSettings settings = ClientSettings.of(cluster.gateways(1, 2, 3, 0)).withConnectTimeout(Duration.ofSeconds(60));
      try (EpClient other = EpClient.connect(settings, cluster.clientConfig())) {
        // The other client's steps during the pause, each against the reference, none held up.
        StepCheck.MixedRun run = check.runMixed(other, 30, 4, 900, 24);
        assertTrue(run.failures().isEmpty(), () -> "wrong results beside the frozen client: " + run.failures());
      }
      long left = PAUSE.toNanos() - (System.nanoTime() - stoppedAt);
      if (left > 0) {
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left)); // the freeze itself: nothing to wait on but the clock
      }
      signal(paused, "CONT");
      LocalCluster4.await("the resumed client to run 10 more steps", Duration.ofSeconds(180), Duration.ofMillis(500),
          () -> steps(log) >= before + 10);
      Files.createFile(stop);
      assertTrue(paused.waitFor(120, TimeUnit.SECONDS), "the client ends once asked to");
      List<String> lines = Files.readAllLines(log);
      String result = lines.stream().filter(l -> l.startsWith("RESULT")).findFirst().orElse("no RESULT line");
      assertEquals(0, paused.exitValue(), result + "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
      assertTrue(result.endsWith("failed=0"), result);
    } finally {
      paused.destroyForcibly();
    }
  }

  private static int steps(Path log) {
    try {
      return (int) Files.readAllLines(log).stream().filter(l -> l.startsWith("STEP ") && l.contains(" ok ")).count();
    } catch (IOException e) {
      return 0;
    }
  }

  private static void signal(Process p, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal);
  }
}
