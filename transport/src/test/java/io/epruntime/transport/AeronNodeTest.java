package io.epruntime.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.protocol.wire.BootstrapRecord;
import io.epruntime.protocol.wire.MeshFrame;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Two real media drivers on loopback, free ports, default settings. */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AeronNodeTest {
  private AeronNode a;
  private AeronNode b;

  /** The settings both nodes start with. */
  TransportSettings settings() {
    return TransportSettings.defaults();
  }

  @BeforeAll
  void start() {
    a = AeronNode.start(settings());
    b = AeronNode.start(settings());
  }

  @AfterAll
  void stop() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  private static byte[] randomBytes(int n, long seed) {
    byte[] out = new byte[n];
    new Random(seed).nextBytes(out);
    return out;
  }

  private static byte[] bytesOf(ByteBuffer frame) {
    byte[] out = new byte[frame.remaining()];
    frame.duplicate().get(out);
    return out;
  }

  @Test
  void endpointsAreDistinctLoopbackPorts() {
    assertTrue(a.endpoint().startsWith("127.0.0.1:"), a.endpoint());
    assertTrue(!a.endpoint().equals(b.endpoint()));
  }

  @Test
  void multiMegabyteFramesArriveWholeAndInOrder() throws Exception {
    int stream = 101;
    BlockingQueue<ByteBuffer> got = new LinkedBlockingQueue<>();
    try (AutoCloseable l = b.listen(stream, got::add)) {
      // 6 MiB + 3 bytes = 25 chunks of 256 KiB, the last one short; then a 1-byte and an empty frame.
      byte[][] frames = {randomBytes(6 * 1024 * 1024 + 3, 1), randomBytes(1, 2), new byte[0], randomBytes(3 * 1024 * 1024, 3)};
      for (byte[] f : frames) {
        a.send(b.endpoint(), stream, f).toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      for (byte[] f : frames) {
        ByteBuffer r = got.poll(30, TimeUnit.SECONDS);
        assertNotNull(r, "frame of " + f.length + " bytes did not arrive");
        assertArrayEquals(f, bytesOf(r));
      }
    }
  }

  @Test
  void sendToAnEndpointNobodyListensOnFailsAfterTheTimeout() {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> a.send(b.endpoint(), 102, new byte[10], Duration.ofMillis(300)).toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertInstanceOf(TransportException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("no subscriber connected"), e.getCause().getMessage());
  }

  @Test
  void malformedFramesAreRejectedAndTheStreamKeepsServing() throws Exception {
    BlockingQueue<BootstrapRecord> got = new LinkedBlockingQueue<>();
    try (BootstrapSubscriber sub = new BootstrapSubscriber(b, got::add)) {
      a.send(b.endpoint(), Streams.BOOTSTRAP, "not a frame at all".getBytes()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      byte[] wrongType = new MeshFrame(1, 1, MeshFrame.DISPATCH, 0, ByteBuffer.allocate(3)).encode();
      a.send(b.endpoint(), Streams.BOOTSTRAP, wrongType).toCompletableFuture().get(30, TimeUnit.SECONDS);
      BootstrapRecord ok = new BootstrapRecord(5, 1, 0, new byte[128], List.of(a.endpoint()), List.of());
      a.send(b.endpoint(), Streams.BOOTSTRAP, ok.encode()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(ok, got.poll(30, TimeUnit.SECONDS));
      assertEquals(2, sub.rejectedFrames());
      assertNull(got.poll(0, TimeUnit.SECONDS));
    }
  }

  @Test
  void aListenerThatThrowsDoesNotStopTheStream() throws Exception {
    int stream = 103;
    BlockingQueue<ByteBuffer> got = new LinkedBlockingQueue<>();
    try (AutoCloseable l = b.listen(stream, f -> {
      if (f.remaining() == 1) {
        throw new IllegalStateException("boom");
      }
      got.add(f);
    })) {
      a.send(b.endpoint(), stream, new byte[1]).toCompletableFuture().get(30, TimeUnit.SECONDS);
      a.send(b.endpoint(), stream, new byte[2]).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(2, got.poll(30, TimeUnit.SECONDS).remaining());
    }
  }
}
