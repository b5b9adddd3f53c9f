package io.epruntime.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.epruntime.protocol.EpArgumentException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Frames of the steering streams carry a tag only holders of the cluster's key store can make. */
class FrameAuthTest {

  private static Config withStore(Path store, String password) {
    return ConfigFactory.parseMap(Map.of(RemotingTls.KEY_STORE, store.toString(), RemotingTls.PASSWORD, password))
        .withFallback(ConfigFactory.load());
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Test
  void aTaggedFrameOpensAndAnyChangedByteOrOtherKeyIsRefused() {
    FrameAuth auth = FrameAuth.withSecret(new byte[32]);
    byte[] frame = "RunStep seq 7 generation 3".getBytes();
    byte[] sealed = auth.seal(frame);
    assertEquals(frame.length + FrameAuth.TAG_BYTES, sealed.length);
    assertArrayEquals(frame, bytes(auth.open(ByteBuffer.wrap(sealed))));
    for (int i = 0; i < sealed.length; i++) {
      byte[] bad = sealed.clone();
      bad[i] ^= 1;
      assertNull(auth.open(ByteBuffer.wrap(bad)), "byte " + i + " changed");
    }
    assertNull(auth.open(ByteBuffer.wrap(frame)), "an untagged frame");
    assertNull(auth.open(ByteBuffer.wrap(new byte[3])), "shorter than a tag");
    byte[] other = new byte[32];
    other[0] = 1;
    assertNull(FrameAuth.withSecret(other).open(ByteBuffer.wrap(sealed)), "another cluster's key");
  }

  @Test
  void everyHolderOfTheStoreDerivesTheSameKeyAndAnotherStoreAnother(@TempDir Path dir) {
    Path one = dir.resolve("one.p12");
    Path two = dir.resolve("two.p12");
    RemotingTls.generate(one, "password-1");
    RemotingTls.generate(two, "password-2");
    byte[] sealed = FrameAuth.fromConfig(withStore(one, "password-1")).seal(new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, bytes(FrameAuth.fromConfig(withStore(one, "password-1")).open(ByteBuffer.wrap(sealed))));
    assertNull(FrameAuth.fromConfig(withStore(two, "password-2")).open(ByteBuffer.wrap(sealed)));
    assertFalse(FrameAuth.fromConfig(ConfigFactory.load()).on(), "off without a key store");
    EpArgumentException wrong = assertThrows(EpArgumentException.class, () -> FrameAuth.fromConfig(withStore(one, "nope-nope")));
    assertEquals(RemotingTls.PASSWORD, wrong.argument());
    EpArgumentException missing = assertThrows(EpArgumentException.class, 
        () -> RemotingTls.configure(ConfigFactory.parseString("pekko.remote.artery.transport = tcp").withFallback(withStore(dir.resolve("x.p12"), "pw"))));
    assertEquals(RemotingTls.KEY_STORE, missing.argument());
  }

  @Test
  @Timeout(60)
  void aNodeDropsControlFramesFromASenderWithoutTheKeyAndTakesTheOthers() throws Exception {
    FrameAuth key = FrameAuth.withSecret(new byte[32]);
    try (AeronNode receiver = AeronNode.start(TransportSettings.defaults(), key);
        AeronNode stranger = AeronNode.start(TransportSettings.defaults());
        AeronNode member = AeronNode.start(TransportSettings.defaults(), key)) {
      BlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
      try (AutoCloseable l = receiver.listen(Streams.CONTROL, f -> got.add(bytes(f)))) {
        stranger.send(receiver.endpoint(), Streams.CONTROL, new byte[] {6, 6, 6}).toCompletableFuture().get(20, TimeUnit.SECONDS);
        member.send(receiver.endpoint(), Streams.CONTROL, new byte[] {1, 2}).toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertArrayEquals(new byte[] {1, 2}, got.poll(20, TimeUnit.SECONDS));
        assertNull(got.poll(500, TimeUnit.MILLISECONDS), "the stranger's frame was dropped");
        assertEquals(1, receiver.forgedFrames());
      }
      // Streams that are not tagged (client tensors) pass from anyone.
      try (AutoCloseable l = receiver.listen(Streams.STEP_INPUT, f -> got.add(bytes(f)))) {
        stranger.send(receiver.endpoint(), Streams.STEP_INPUT, new byte[] {9}).toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertArrayEquals(new byte[] {9}, got.poll(20, TimeUnit.SECONDS));
      }
      assertTrue(key.covers(Streams.BOOTSTRAP) && key.covers(Streams.DATA) && !key.covers(Streams.STEP_OUTPUT));
    }
  }
}
