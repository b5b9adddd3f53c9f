package io.epruntime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** A normal connect and close logs nothing at WARN or above on the client's side. */
class QuietConnectTest {

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aNormalConnectAndCloseLogNoWarning() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    try (FakeNode node = FakeNode.start("127.0.0.1")) {
      root.addAppender(events);
      try {
        EpClient.connect(ClientSettings.of(List.of(node.endpoint("127.0.0.1"))).withConnectTimeout(Duration.ofSeconds(20))).close();
      } finally {
        root.detachAppender(events);
      }
    }
    // The stand-in node's own system ("ep") is not the client's.
    List<String> warnings = events.list.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN) && !e.getThreadName().startsWith("ep-pekko."))
        .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage())
        .toList();
    assertEquals(List.of(), warnings);
  }
}
