package io.epruntime.transport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.epruntime.protocol.EpArgumentException;
import java.time.Duration;

/**
 * The transport's immutable settings, read once from {@code ep.transport} and validated at start-up;
 * every refusal names the key and the value.
 *
 * @param aeronDir media driver directory ("" = a fresh one under /dev/shm or the temp dir)
 * @param bindHost address the node's subscriptions bind to
 * @param advertisedHost host peers use to reach this node ("" = bindHost)
 * @param port UDP port of the node's streams (0 = pick a free one)
 * @param termLength Aeron term buffer length of publications
 * @param chunkSize bytes per transport chunk of a large frame
 * @param maxMessageSize largest reassembled frame accepted
 * @param sendTimeout how long a send waits for a connection or for back-pressure to clear
 * @param bootstrapResendInterval re-send period of unacknowledged bootstrap records
 * @param bootstrapTimeout when an unacknowledged bootstrap publish fails
 * @param idleMaxPark longest park of a transport or driver thread that was busy recently
 * @param deepIdleAfter how long a thread must find no work before it parks {@code deepIdlePark} at a time
 * @param deepIdlePark park of a long-idle thread (zero = never park longer than idleMaxPark)
 * @param spinWindow how long after the last frame the thread spins instead of parking (zero = never)
 * @param mtu Aeron MTU of publications (frame size on the wire)
 * @param socketBuffer UDP send and receive socket buffer size
 * @param receiverWindow Aeron's initial receiver window (flow control; capped at term-length / 2)
 */
public record TransportSettings(
    String aeronDir, String bindHost, String advertisedHost, int port, int termLength, int chunkSize,
    long maxMessageSize, Duration sendTimeout, Duration bootstrapResendInterval, Duration bootstrapTimeout,
    Duration idleMaxPark, Duration deepIdleAfter, Duration deepIdlePark, Duration spinWindow, int mtu, int socketBuffer,
    int receiverWindow) {

  /** Bytes in front of each chunk: magic, message id, index, count, total length. */
  public static final int CHUNK_HEADER_BYTES = 24;

  public TransportSettings {
    EpArgumentException.require(aeronDir != null, "ep.transport.aeron-dir", aeronDir, "a path or \"\"");
    EpArgumentException.require(bindHost != null && !bindHost.isBlank(), "ep.transport.bind-host", bindHost, "an IP address or host name");
    EpArgumentException.require(advertisedHost != null, "ep.transport.advertised-host", advertisedHost, "a host name or \"\"");
    EpArgumentException.require(!advertisedHost.isBlank() || !bindHost.equals("0.0.0.0"), "ep.transport.advertised-host", "\"\"",
        "a reachable host when ep.transport.bind-host = 0.0.0.0");
    EpArgumentException.require(port >= 0 && port <= 65535, "ep.transport.port", port, "0..65535 (0 = any free port)");
    EpArgumentException.require(termLength >= 64 * 1024 && termLength <= 1 << 30 && Integer.bitCount(termLength) == 1,
        "ep.transport.term-length", termLength, "a power of two in 64k..1g");
    int maxChunk = termLength / 8 - CHUNK_HEADER_BYTES;
    EpArgumentException.require(chunkSize >= 1024 && chunkSize <= maxChunk, "ep.transport.chunk-size", chunkSize,
        "1k.." + maxChunk + " (term-length / 8 - " + CHUNK_HEADER_BYTES + ")");
    EpArgumentException.require(maxMessageSize >= chunkSize && maxMessageSize <= Integer.MAX_VALUE - 64,
        "ep.transport.max-message-size", maxMessageSize, "chunk-size..2g");
    requirePositive("ep.transport.send-timeout", sendTimeout);
    requirePositive("ep.transport.bootstrap-resend-interval", bootstrapResendInterval);
    requirePositive("ep.transport.bootstrap-timeout", bootstrapTimeout);
    requirePositive("ep.transport.idle-max-park", idleMaxPark);
    requirePositive("ep.transport.deep-idle-after", deepIdleAfter);
    EpArgumentException.require(deepIdlePark != null && !deepIdlePark.isNegative(), "ep.transport.deep-idle-park", deepIdlePark,
        "a duration >= 0 (0 = off)");
    EpArgumentException.require(spinWindow != null && !spinWindow.isNegative() && spinWindow.compareTo(Duration.ofSeconds(1)) <= 0,
        "ep.transport.spin-window", spinWindow, "0..1s (0 = never spin)");
    EpArgumentException.require(mtu >= 128 && mtu <= 65504 && mtu % 32 == 0, "ep.transport.mtu", mtu, "128..65504, a multiple of 32");
    EpArgumentException.require(socketBuffer >= 64 * 1024, "ep.transport.socket-buffer", socketBuffer, ">= 64k");
    EpArgumentException.require(receiverWindow >= 64 * 1024 && receiverWindow >= mtu, "ep.transport.receiver-window", receiverWindow, ">= 64k and >= mtu");
  }

  private static void requirePositive(String key, Duration d) {
    EpArgumentException.require(d != null && !d.isNegative() && !d.isZero(), key, d, "a positive duration");
  }

  /** Reads {@code ep.transport} from {@code config}, falling back to this module's reference.conf. */
  public static TransportSettings fromConfig(Config config) {
    Config c = config.withFallback(ConfigFactory.defaultReference(TransportSettings.class.getClassLoader())).getConfig("ep.transport");
    for (String gone : new String[] {"idle-wait", "timer-slack"}) {
      if (config.hasPath("ep.transport." + gone)) {
        // Measured without a consistent gain (bench/results/cluster-latency.md), so removed: say so rather than ignore it.
        throw new EpArgumentException("ep.transport." + gone, "ep.transport." + gone + " is no longer read: the transport "
            + "thread always parks when idle; remove the key");
      }
    }
    try {
      return new TransportSettings(
          c.getString("aeron-dir"), c.getString("bind-host"), c.getString("advertised-host"), c.getInt("port"),
          bytes(c, "term-length"), bytes(c, "chunk-size"), c.getBytes("max-message-size"),
          c.getDuration("send-timeout"), c.getDuration("bootstrap-resend-interval"), c.getDuration("bootstrap-timeout"),
          c.getDuration("idle-max-park"), c.getDuration("deep-idle-after"), c.getDuration("deep-idle-park"),
          c.getDuration("spin-window"), bytes(c, "mtu"), bytes(c, "socket-buffer"), bytes(c, "receiver-window"));
    } catch (ConfigException e) {
      throw new EpArgumentException("ep.transport", e.getMessage());
    }
  }

  private static int bytes(Config c, String key) {
    long v = c.getBytes(key);
    EpArgumentException.require(v <= Integer.MAX_VALUE, "ep.transport." + key, v, "at most 1g");
    return (int) v;
  }

  /** The defaults of reference.conf: loopback, a free port, a fresh directory. */
  public static TransportSettings defaults() {
    return fromConfig(ConfigFactory.empty());
  }

  /** These settings with another bind host (tests, multi-homed hosts). */
  public TransportSettings withHost(String host) {
    return new TransportSettings(aeronDir, host, advertisedHost, port, termLength, chunkSize, maxMessageSize, sendTimeout,
        bootstrapResendInterval, bootstrapTimeout, idleMaxPark, deepIdleAfter, deepIdlePark, spinWindow, mtu, socketBuffer, receiverWindow);
  }

  public TransportSettings withSendTimeout(Duration d) {
    return new TransportSettings(aeronDir, bindHost, advertisedHost, port, termLength, chunkSize, maxMessageSize, d,
        bootstrapResendInterval, bootstrapTimeout, idleMaxPark, deepIdleAfter, deepIdlePark, spinWindow, mtu, socketBuffer, receiverWindow);
  }

  public TransportSettings withBootstrap(Duration resendInterval, Duration timeout) {
    return new TransportSettings(aeronDir, bindHost, advertisedHost, port, termLength, chunkSize, maxMessageSize, sendTimeout,
        resendInterval, timeout, idleMaxPark, deepIdleAfter, deepIdlePark, spinWindow, mtu, socketBuffer, receiverWindow);
  }

  /** These settings with other idle parks (benchmarks trade idle CPU against wake-up latency). */
  public TransportSettings withIdle(Duration maxPark, Duration deepAfter, Duration deepPark) {
    return new TransportSettings(aeronDir, bindHost, advertisedHost, port, termLength, chunkSize, maxMessageSize, sendTimeout,
        bootstrapResendInterval, bootstrapTimeout, maxPark, deepAfter, deepPark, spinWindow, mtu, socketBuffer, receiverWindow);
  }

  /** These settings with another spin window (benchmarks compare spinning with parking). */
  public TransportSettings withSpinWindow(Duration window) {
    return new TransportSettings(aeronDir, bindHost, advertisedHost, port, termLength, chunkSize, maxMessageSize, sendTimeout,
        bootstrapResendInterval, bootstrapTimeout, idleMaxPark, deepIdleAfter, deepIdlePark, window, mtu, socketBuffer,
        receiverWindow);
  }

  /** The host peers should use. */
  public String hostForPeers() {
    return advertisedHost.isBlank() ? bindHost : advertisedHost;
  }
}
