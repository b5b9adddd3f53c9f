package io.epruntime.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The transport thread runs with the configured Linux timer slack (read back from /proc). */
@Timeout(60)
class TimerSlackTest {
  @Test
  void transportThreadTakesTheConfiguredSlack() throws IOException {
    assumeTrue(Files.isReadable(Path.of("/proc/self/timerslack_ns")), "Linux with /proc/<tid>/timerslack_ns only");
    List<Long> before = transportThreadSlacks();
    try (AeronNode node = AeronNode.start(TransportSettings.fromConfig(ConfigFactory.parseString("ep.transport.timer-slack = 7us")))) {
      List<Long> during = transportThreadSlacks();
      during.removeAll(before); // other nodes of this JVM (none in this class, but a forked suite may share it)
      assertEquals(List.of(7_000L), during, "timer slack of the new ep-transport thread, ns");
    }
  }

  /** timerslack_ns of every live thread of this process named ep-transport. */
  private static List<Long> transportThreadSlacks() throws IOException {
    List<Long> out = new ArrayList<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        try {
          if (Files.readString(task.resolve("comm")).trim().equals("ep-transport")) {
            // timerslack_ns is not under /proc/<pid>/task/<tid>/, only under /proc/<tid>/
            out.add(Long.parseLong(Files.readString(Path.of("/proc", task.getFileName().toString(), "timerslack_ns")).trim()));
          }
        } catch (IOException e) {
          // the thread ended while being read
        }
      }
    }
    return out;
  }
}
