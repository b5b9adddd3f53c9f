package io.epruntime.transport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;

/**
 * Pekko remoting on Artery's {@code aeron-udp} transport ({@code pekko.remote.artery.transport =
 * aeron-udp}; nodes and clients must all use the same transport). Pekko then runs a media driver of
 * its own, embedded unless {@code pekko.remote.artery.advanced.aeron.embedded-media-driver = off},
 * beside this process's {@link AeronNode}. Left to itself it would put its directory under
 * {@code /dev/shm/aeron-<user>} with a random name, which nobody cleans up after a killed process,
 * and map each log buffer whole at Aeron's default 16 MiB terms: 48 MiB of /dev/shm for each of its
 * publications and images, about 0.8 GiB for a node of a 4-rank world. {@link #configure} points it
 * at {@code <this process's Aeron dir>-pekko} (same pid in the name, so whoever cleans up after a
 * killed process finds both) unless {@code aeron-dir} is set, and makes its log buffers sparse with
 * 4 MiB terms, through Aeron's JVM-wide system properties {@code aeron.term.buffer.length} and
 * {@code aeron.term.buffer.sparse.file}, set only when not given with -D ({@link AeronNode} sets
 * both explicitly for its own driver, so only Pekko's reads them). Artery's frames are at most
 * {@code maximum-frame-size} = 256 KiB, an eighth of 2 MiB; with {@code large-message-destinations}
 * (2 MiB frames) give {@code -Daeron.term.buffer.length=16m}.
 */
public final class ArteryAeronUdp {
  /** Pekko remoting's transport: tcp (Artery TCP, the default) or aeron-udp. */
  public static final String TRANSPORT_KEY = "pekko.remote.artery.transport";
  public static final String EMBEDDED_KEY = "pekko.remote.artery.advanced.aeron.embedded-media-driver";
  public static final String DIR_KEY = "pekko.remote.artery.advanced.aeron.aeron-dir";
  /** Term length given to Pekko's driver unless {@code -Daeron.term.buffer.length} is set. */
  public static final int TERM_LENGTH = 4 << 20;

  private ArteryAeronUdp() {}

  /**
   * {@code config} (resolved, with Pekko's reference) as described above when it selects aeron-udp
   * with the embedded driver; otherwise unchanged. {@code aeronDir} is this process's own driver's.
   */
  public static Config configure(Config config, String aeronDir) {
    if (!config.getString(TRANSPORT_KEY).equals("aeron-udp") || !config.getBoolean(EMBEDDED_KEY)) {
      return config;
    }
    System.getProperties().putIfAbsent("aeron.term.buffer.length", String.valueOf(TERM_LENGTH));
    System.getProperties().putIfAbsent("aeron.term.buffer.sparse.file", "true");
    return config.getString(DIR_KEY).isBlank() ? ConfigFactory.parseMap(Map.of(DIR_KEY, aeronDir + "-pekko")).withFallback(config) : config;
  }
}
