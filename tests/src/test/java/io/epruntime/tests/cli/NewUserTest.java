package io.epruntime.tests.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.tests.k8s.RepoPaths;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new user's path: {@code ep cluster up} on loopback, the client guide's example as its own
 * program ({@code java -jar} of the examples module, no JVM option) against the gateway it printed,
 * {@code ep cluster status}, a killed rank brought back by {@code ep cluster restart}, then
 * {@code ep cluster down}, after which no rank runs and /dev/shm holds none of their Aeron
 * directories.
 */
@Tag("cluster")
class NewUserTest {
  private static final Pattern GATEWAY = Pattern.compile("gateway  (\\S+)");

  @TempDir Path dir;

  @AfterEach
  void down() {
    CliResult.run("cluster", "down", "--dir", dir.toString(), "--grace", "5");
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void clusterUpTheGuidesExampleStatusAndDown() throws Exception {
    CliResult up = CliResult.run("cluster", "up", "-n", "2", "--base-port", "0", "--dir", dir.toString());
    assertEquals(0, up.exitCode(), up.toString());
    Matcher m = GATEWAY.matcher(up.out());
    assertTrue(m.find(), up.toString());
    String gateway = m.group(1);
    assertTrue(up.out().contains("ep cluster down") && up.out().contains("EpClient.connect(ClientSettings.of(List.of(\"" + gateway
        + "\")))"), up.toString());
    List<Long> pids = pids();
    assertEquals(2, pids.size());

    CliResult again = CliResult.run("cluster", "up", "--dir", dir.toString());
    assertEquals(3, again.exitCode(), again.toString());
    assertTrue(again.err().contains("a cluster is already up"), again.toString());

    // The cluster's key, as up prints it for clients: EP_KEY_STORE=... EP_KEY_STORE_PASSWORD=$(cat ...).
    Matcher key = Pattern.compile("EP_KEY_STORE=(\\S+) EP_KEY_STORE_PASSWORD=\\$\\(cat (\\S+)\\)").matcher(up.out());
    assertTrue(key.find(), "up prints the key for other clients: " + up);
    Path log = dir.resolve("example.log");
    ProcessBuilder examplePb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
        examplesJar().toString(), gateway, "4").redirectErrorStream(true).redirectOutput(log.toFile());
    examplePb.environment().put("EP_KEY_STORE", key.group(1));
    examplePb.environment().put("EP_KEY_STORE_PASSWORD", Files.readString(Path.of(key.group(2))).strip());
    Process example = examplePb.start();
    assertTrue(example.waitFor(200, TimeUnit.SECONDS), "the example ends");
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, example.exitValue(), out);
    assertTrue(out.contains("connected to [" + gateway + "]: 2 ranks"), out);
    for (int i = 0; i < 4; i++) {
      assertTrue(out.contains("step " + i + ": seq "), "step " + i + " in:\n" + out);
    }
    assertFalse(out.contains(" WARN ") || out.contains(" ERROR "), out);

    CliResult status = CliResult.run("cluster", "status", "--dir", dir.toString());
    assertEquals(0, status.exitCode(), status.toString());
    assertTrue(status.out().contains("running") && status.out().contains("ready"), status.toString());

    // A rank that dies is started again on its ports and the world re-forms around it.
    ProcessHandle killed = ProcessHandle.of(pids.get(1)).orElseThrow();
    killed.destroyForcibly();
    killed.onExit().get(30, TimeUnit.SECONDS);
    CliResult restart = CliResult.run("cluster", "restart", "--rank", "1", "--dir", dir.toString());
    assertEquals(0, restart.exitCode(), restart.toString());
    assertTrue(restart.out().contains("rank 1 restarted") && restart.out().contains("world Ready again, generation "), restart.toString());
    List<Long> afterRestart = pids();
    assertEquals(pids.get(0), afterRestart.get(0));
    assertEquals(List.of(), aeronDirectories(pids.get(1)), "the restarted rank removed what the killed one left in /dev/shm");
    pids = afterRestart;

    CliResult down = CliResult.run("cluster", "down", "--dir", dir.toString());
    assertEquals(0, down.exitCode(), down.toString());
    assertTrue(down.out().contains("stopped 2 rank(s)") && !down.out().contains("SIGKILL"), down.toString());
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "rank pid " + pid + " still runs");
      assertEquals(List.of(), aeronDirectories(pid), "rank pid " + pid + " left its Aeron directory");
    }
    assertTrue(CliResult.run("cluster", "down", "--dir", dir.toString()).out().contains("no cluster is up"));
  }

  private List<Long> pids() throws IOException {
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(dir.resolve("cluster.properties"))) {
      p.load(in);
    }
    List<Long> out = new ArrayList<>();
    for (int r = 0; r < Integer.parseInt(p.getProperty("ranks")); r++) {
      out.add(Long.parseLong(p.getProperty("rank." + r + ".pid")));
    }
    return out;
  }

  private static List<String> aeronDirectories(long pid) {
    File[] dirs = new File("/dev/shm").listFiles((d, name) -> name.startsWith("ep-aeron-" + pid + "-"));
    return dirs == null ? List.of() : Stream.of(dirs).map(File::getName).toList();
  }

  private static Path examplesJar() throws IOException {
    try (Stream<Path> files = Files.list(RepoPaths.root().resolve("examples/target"))) {
      return files.filter(f -> f.getFileName().toString().matches("ep-examples-.*\\.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("examples/target has no ep-examples jar: build the examples module first"));
    }
  }
}
