package io.epruntime.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.exceptions.AeronException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The errors Aeron's driver reports when a node's network is gone, thousands a second. */
class RepeatedErrorLogTest {
  private record Line(String text, Throwable trace) {}

  private final List<Line> lines = new ArrayList<>();
  private long now;
  private final RepeatedErrorLog log = new RepeatedErrorLog("media driver error in /dev/shm/a", TimeUnit.SECONDS.toNanos(10), () -> now,
      (line, trace) -> lines.add(new Line(line, trace)));

  private static AeronException sendFailed(int bytes, String to) {
    return new AeronException("failed to send " + bytes + " byte packet to " + to, new IOException("Network is unreachable"),
        AeronException.Category.WARN);
  }

  @Test
  void aRepeatedErrorIsLoggedInFullOnceThenCountedOncePerInterval() {
    AeronException first = sendFailed(32, "/10.0.0.1:40123");
    log.onError(first);
    for (int i = 0; i < 5000; i++) {
      now += TimeUnit.MILLISECONDS.toNanos(1);
      log.onError(sendFailed(32 + i % 3, "/10.0.0." + (1 + i % 2) + ":4012" + i % 10));
    }
    assertEquals(1, lines.size(), "5 s of repeats: only the first, with its stack trace");
    assertSame(first, lines.get(0).trace());
    now += TimeUnit.SECONDS.toNanos(5);
    log.onError(sendFailed(40, "/10.0.0.2:40123"));
    assertEquals(2, lines.size());
    Line summary = lines.get(1);
    assertNull(summary.trace(), "repeats are one line, no stack trace");
    assertTrue(summary.text().startsWith("media driver error in /dev/shm/a: 5001 more like it in the last 10 s"), summary.text());
    assertTrue(summary.text().contains("failed to send 40 byte packet to /10.0.0.2:40123; caused by java.io.IOException: Network is unreachable"),
        summary.text());
  }

  @Test
  void anotherKindOfErrorIsLoggedInFullAtOnce() {
    log.onError(sendFailed(32, "/10.0.0.1:40123"));
    log.onError(new AeronException("failed to receive", new IOException("Connection refused"), AeronException.Category.WARN));
    log.onError(new IllegalStateException("failed to send 32 byte packet to /10.0.0.1:40123"));
    assertEquals(3, lines.size());
    assertTrue(lines.stream().allMatch(l -> l.trace() != null));
  }

  @Test
  void kindsIgnoreNumbersOnly() {
    assertEquals(RepeatedErrorLog.kind(sendFailed(32, "/10.0.0.1:1")), RepeatedErrorLog.kind(sendFailed(1408, "/192.168.3.4:40123")));
    assertNotEquals(RepeatedErrorLog.kind(sendFailed(32, "/10.0.0.1:1")),
        RepeatedErrorLog.kind(new AeronException("failed to send 32 byte packet to /10.0.0.1:1", new IOException("Message too long"),
            AeronException.Category.WARN)));
  }

  @Test
  void onlyTheLatestKindsAreRemembered() {
    IllegalStateException first = new IllegalStateException("kind zero");
    log.onError(first);
    for (int i = 0; i < RepeatedErrorLog.MAX_KINDS; i++) {
      log.onError(new IllegalStateException("kind " + (char) ('a' + i % 26) + (char) ('a' + i / 26)));
    }
    assertEquals(RepeatedErrorLog.MAX_KINDS + 1, lines.size(), "every new kind is logged in full");
    log.onError(first);
    assertSame(first, lines.get(lines.size() - 1).trace(), "the oldest kind was forgotten, so it is logged in full again");
  }
}
