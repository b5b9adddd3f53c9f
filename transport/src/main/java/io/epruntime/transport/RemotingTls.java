package io.epruntime.transport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.epruntime.protocol.EpArgumentException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Pekko remoting on mutual TLS ({@code tls-tcp}) when {@code ep.security.key-store} names a PKCS12
 * key store: every node and client of one cluster holds the same store, whose key and certificate
 * each side presents and whose certificate each side trusts, so a process without the store cannot
 * open a remoting connection at all. Nothing it sends reaches Artery's framing or an actor: no
 * malformed frame, no {@code PoisonPill} through an actor selection. Unset, remoting is plain TCP and
 * nodes warn at start-up. Nodes and clients apply it the same way ({@link #configure}).
 */
public final class RemotingTls {
  public static final String KEY_STORE = "ep.security.key-store";
  public static final String PASSWORD = "ep.security.key-store-password";
  static final String ENGINE = "pekko.remote.artery.ssl.config-ssl-engine.";
  /** The suites of TLS 1.3 that every JDK 17 has. */
  static final List<String> SUITES = List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256");

  private RemotingTls() {}

  /** Whether {@code config} asks for TLS. */
  public static boolean enabled(Config config) {
    return !config.getString(KEY_STORE).isBlank();
  }

  /**
   * {@code config} (resolved) with Artery on mutual TLS when {@link #KEY_STORE} is set, after
   * checking that the store opens with {@link #PASSWORD} and holds a key; unchanged when unset.
   * Throws {@link EpArgumentException} naming the key otherwise.
   */
  public static Config configure(Config config) {
    if (!enabled(config)) {
      return config;
    }
    String transport = config.getString(ArteryAeronUdp.TRANSPORT_KEY);
    EpArgumentException.require(transport.equals("tcp") || transport.equals("tls-tcp"), ArteryAeronUdp.TRANSPORT_KEY, transport,
        "tcp when " + KEY_STORE + " is set (TLS runs over Artery TCP)");
    String path = config.getString(KEY_STORE);
    String password = config.getString(PASSWORD);
    check(Path.of(path), password);
    return ConfigFactory.parseMap(Map.of(
            ArteryAeronUdp.TRANSPORT_KEY, "tls-tcp",
            "pekko.remote.artery.ssl.ssl-engine-provider", "org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider",
            ENGINE + "key-store", path,
            ENGINE + "key-store-password", password,
            ENGINE + "key-password", password,
            ENGINE + "trust-store", path,
            ENGINE + "trust-store-password", password,
            ENGINE + "protocol", "TLSv1.3",
            ENGINE + "enabled-algorithms", SUITES,
            ENGINE + "require-mutual-authentication", "on"))
        .withFallback(config);
  }

  /** Opens the store as Pekko will, so that a wrong path or password is refused at start-up, naming the key. */
  static void check(Path path, String password) {
    EpArgumentException.require(Files.isReadable(path), KEY_STORE, path, "a readable PKCS12 file (e.g. from ep keygen)");
    try (InputStream in = Files.newInputStream(path)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password.toCharArray());
      boolean hasKey = false;
      for (String alias : Collections.list(ks.aliases())) {
        hasKey |= ks.isKeyEntry(alias);
      }
      EpArgumentException.require(hasKey, KEY_STORE, path, "a PKCS12 store holding a private key and its certificate");
    } catch (IOException | GeneralSecurityException e) {
      throw new EpArgumentException(PASSWORD, KEY_STORE + " = " + path + " does not open with " + PASSWORD + ": " + e.getMessage());
    }
  }

  /**
   * Writes a new PKCS12 store to {@code file}: one EC P-256 key pair with its self-signed
   * certificate (ten years), by the JDK's keytool. What one cluster and its clients share.
   */
  public static void generate(Path file, String password) {
    EpArgumentException.require(password != null && password.length() >= 6, "password", "(hidden)", "at least 6 characters");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> cmd = List.of(keytool.toString(), "-genkeypair", "-alias", "ep-cluster", "-keyalg", "EC", "-groupname", "secp256r1",
        "-sigalg", "SHA256withECDSA", "-dname", "CN=ep-runtime cluster", "-validity", "3650", "-storetype", "PKCS12",
        "-keystore", file.toString(), "-storepass:env", "EP_KEYGEN_PASSWORD", "-keypass:env", "EP_KEYGEN_PASSWORD", "-noprompt");
    try {
      Files.deleteIfExists(file);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put("EP_KEYGEN_PASSWORD", password);
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new TransportException("keytool could not write " + file + ": " + out.strip());
      }
    } catch (IOException e) {
      throw new TransportException("could not run " + keytool + " to write " + file + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted writing " + file, e);
    }
  }
}
