package io.epruntime.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes with {@code ep.transport.idle-wait = socket} on loopback: a node deep in its idle wait
 * (a 20 s timeout here) is woken by the datagrams themselves, not by the timeout. (Frames of every
 * size under this wait: {@link AeronNodeSocketWaitTest}.)
 */
@Timeout(120)
class SocketIdleWaitTest {
  private static final Duration DEEP_WAIT = Duration.ofSeconds(20);
  private static AeronNode a;
  private static AeronNode b;

  @BeforeAll
  static void start() {
    TransportSettings s = TransportSettings.defaults().withIdleWait(TransportSettings.IDLE_WAIT_SOCKET)
        .withIdle(Duration.ofMillis(1), Duration.ofMillis(50), DEEP_WAIT);
    a = AeronNode.start(s);
    b = AeronNode.start(s);
  }

  @AfterAll
  static void stop() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  private static byte[] bytesOf(ByteBuffer frame) {
    byte[] out = new byte[frame.remaining()];
    frame.duplicate().get(out);
    return out;
  }

  @Test
  void deeplyIdleNodesAreWokenByTheFrameNotByTheirTimeout() throws Exception {
    int ping = 202;
    int pong = 203;
    BlockingQueue<ByteBuffer> replies = new LinkedBlockingQueue<>();
    try (AutoCloseable echo = b.listen(ping, f -> b.send(a.endpoint(), pong, bytesOf(f)));
         AutoCloseable back = a.listen(pong, replies::add)) {
      // Warm the publications up, then let both nodes fall into the deep wait (deep-idle-after 50 ms).
      a.send(b.endpoint(), ping, new byte[] {0}).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertNotNull(replies.poll(30, TimeUnit.SECONDS));
      for (int i = 1; i <= 5; i++) {
        TimeUnit.MILLISECONDS.sleep(300); // both transport threads are now in a 20 s wait
        long start = System.nanoTime();
        a.send(b.endpoint(), ping, new byte[] {(byte) i});
        ByteBuffer r = replies.poll(DEEP_WAIT.toSeconds() / 2, TimeUnit.SECONDS);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertNotNull(r, "round trip " + i + " waited out the deep timeout");
        assertEquals(i, r.get(0));
        assertTrue(tookMs < DEEP_WAIT.toMillis() / 4, "round trip " + i + " took " + tookMs + " ms");
      }
    }
  }
}
