package io.epruntime.transport;

import com.typesafe.config.Config;
import io.epruntime.protocol.EpArgumentException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Collections;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tags the frames that steer a cluster (bootstrap records, the step's control, the cpu backend's
 * rows between ranks) with an HMAC-SHA256 under a key every holder of the cluster's key store
 * derives from its private key ({@link RemotingTls}), and drops untagged or mis-tagged ones on
 * arrival: Aeron itself authenticates nothing, and a forged record could otherwise start a bogus
 * generation, run or fail a step, or slip rows into one. Tensors to and from clients are not tagged
 * (a full-frame MAC would cost more than the step on large batches); they are bound to a step by
 * the client's random 63-bit id and checked for shape on arrival. Off ({@link #NONE}) without a key store.
 */
public final class FrameAuth {
  /** Bytes of tag appended to a frame: the first half of the HMAC. */
  static final int TAG_BYTES = 16;
  /** The streams whose frames are tagged. */
  static final Set<Integer> STREAMS = Set.of(Streams.BOOTSTRAP, Streams.CONTROL, Streams.DATA);
  public static final FrameAuth NONE = new FrameAuth(null);
  private static final byte[] LABEL = "ep-runtime frame key v1".getBytes(StandardCharsets.US_ASCII);

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;

  private FrameAuth(byte[] secret) {
    this.key = secret == null ? null : new SecretKeySpec(secret, "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  /** From {@code ep.security.key-store}: on with the store's derived key, else {@link #NONE}. */
  public static FrameAuth fromConfig(Config config) {
    if (!RemotingTls.enabled(config)) {
      return NONE;
    }
    Path path = Path.of(config.getString(RemotingTls.KEY_STORE));
    char[] password = config.getString(RemotingTls.PASSWORD).toCharArray();
    try (InputStream in = Files.newInputStream(path)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      for (String alias : Collections.list(ks.aliases())) {
        if (ks.isKeyEntry(alias)) {
          Key k = ks.getKey(alias, password);
          MessageDigest sha = MessageDigest.getInstance("SHA-256");
          sha.update(LABEL);
          return new FrameAuth(sha.digest(k.getEncoded()));
        }
      }
      throw new EpArgumentException(RemotingTls.KEY_STORE, RemotingTls.KEY_STORE + " = " + path + " holds no private key");
    } catch (IOException | GeneralSecurityException e) {
      throw new EpArgumentException(RemotingTls.PASSWORD, RemotingTls.KEY_STORE + " = " + path + " does not open with "
          + RemotingTls.PASSWORD + ": " + e.getMessage());
    }
  }

  /** A key of its own, for tests. */
  static FrameAuth withSecret(byte[] secret) {
    return new FrameAuth(secret.clone());
  }

  public boolean on() {
    return key != null;
  }

  boolean covers(int streamId) {
    return on() && STREAMS.contains(streamId);
  }

  /** {@code frame} with its tag appended. */
  byte[] seal(byte[] frame) {
    Mac mac = macs.get();
    mac.update(frame);
    byte[] out = Arrays.copyOf(frame, frame.length + TAG_BYTES);
    System.arraycopy(mac.doFinal(), 0, out, frame.length, TAG_BYTES);
    return out;
  }

  /** The frame without its tag (little-endian, position 0) when the tag is right; else null. */
  ByteBuffer open(ByteBuffer frame) {
    int length = frame.remaining() - TAG_BYTES;
    if (length < 0) {
      return null;
    }
    ByteBuffer body = frame.duplicate();
    body.limit(body.position() + length);
    Mac mac = macs.get();
    mac.update(body.duplicate());
    byte[] expected = mac.doFinal();
    byte[] tag = new byte[TAG_BYTES];
    frame.duplicate().position(frame.position() + length).get(tag);
    if (!MessageDigest.isEqual(Arrays.copyOf(expected, TAG_BYTES), tag)) {
      return null;
    }
    return body.slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  private Mac newMac() {
    if (key == null) {
      return null;
    }
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(key);
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }
}
