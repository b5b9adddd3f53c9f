package io.epruntime.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A node's media driver directory goes on every exit, and a start removes those killed processes left. */
class AeronDirectoriesTest {

  @Test
  void directoriesOfExitedProcessesAreRemovedAndOthersKept(@TempDir Path base) throws Exception {
    long dead = exitedPid();
    long self = ProcessHandle.current().pid();
    Path stale = Files.createDirectories(base.resolve("ep-aeron-" + dead + "-1a2b"));
    Files.writeString(stale.resolve("cnc.dat"), "x");
    Files.createDirectories(stale.resolve("images"));
    Path stalePekko = Files.createDirectories(base.resolve("ep-aeron-" + dead + "-1a2b-pekko"));
    Path live = Files.createDirectories(base.resolve("ep-aeron-" + self + "-3c4d"));
    Path foreign = Files.createDirectories(base.resolve("aeron-someone"));

    List<Path> removed = AeronDirectories.removeStale(base.toFile());

    assertEquals(List.of(stale, stalePekko), removed.stream().sorted().toList());
    assertFalse(Files.exists(stale));
    assertFalse(Files.exists(stalePekko));
    assertTrue(Files.isDirectory(live), "a running process's directory stays");
    assertTrue(Files.isDirectory(foreign), "directories not named by ep stay");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aStartRemovesWhatAnExitedProcessLeft() throws Exception {
    Path stale = Files.createDirectories(AeronDirectories.base().toPath().resolve("ep-aeron-" + exitedPid() + "-5e6f"));
    try {
      AeronNode.start(TransportSettings.defaults()).close();
      assertFalse(Files.exists(stale));
    } finally {
      AeronDirectories.deleteTree(stale);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void closeRemovesTheDirectoryAndASecondCloseIsHarmless() {
    AeronNode node = AeronNode.start(TransportSettings.defaults());
    File dir = new File(node.aeron().context().aeronDirectoryName());
    assertTrue(dir.isDirectory());
    node.close();
    assertFalse(dir.exists());
    node.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"TERM", "INT"})
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aProcessEndedBySignalLeavesNoDirectory(String signal) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), EchoNodeMain.class.getName(), "127.0.0.1:9")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      assertTrue(endpointPrinted(child).get(60, TimeUnit.SECONDS), "the child's node started");
      assertEquals(1, directoriesOf(child.pid()).size(), "the child's node has its directory");
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).start();
      assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0);
      assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child exits on SIG" + signal);
      assertEquals(List.of(), directoriesOf(child.pid()));
    } finally {
      child.destroyForcibly();
    }
  }

  private static List<File> directoriesOf(long pid) {
    File[] dirs = AeronDirectories.base().listFiles((d, name) -> name.startsWith("ep-aeron-" + pid + "-"));
    return dirs == null ? List.of() : Arrays.asList(dirs);
  }

  /** Completes with true once the child printed its endpoint, false if its output ended first. */
  private static CompletableFuture<Boolean> endpointPrinted(Process child) {
    CompletableFuture<Boolean> printed = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String s = out.readLine(); s != null; s = out.readLine()) {
          if (s.startsWith("endpoint=")) {
            printed.complete(true);
          }
        }
      } catch (IOException e) {
        // the child is gone
      }
      printed.complete(false);
    }, "child-stdout");
    reader.setDaemon(true);
    reader.start();
    return printed;
  }

  private static long exitedPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    return p.pid();
  }
}
