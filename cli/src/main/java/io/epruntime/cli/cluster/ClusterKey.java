package io.epruntime.cli.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.epruntime.transport.RemotingTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The key store one local cluster and its clients share ({@link RemotingTls}): written fresh into
 * the cluster's directory, readable by its owner only, with a random password.
 *
 * @param keyStore the PKCS12 file
 * @param password its password (also in {@code cluster.password} beside it, for other clients)
 */
public record ClusterKey(Path keyStore, String password) {
  public static final String STORE_FILE = "cluster.p12";
  public static final String PASSWORD_FILE = "cluster.password";

  /** Writes a new store and its password file into {@code dir}. */
  public static ClusterKey create(Path dir) {
    byte[] secret = new byte[18];
    new SecureRandom().nextBytes(secret);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    Path store = dir.resolve(STORE_FILE);
    RemotingTls.generate(store, password);
    Path passwordFile = dir.resolve(PASSWORD_FILE);
    try {
      Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
      for (Path p : new Path[] {store, passwordFile}) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + passwordFile, e);
    }
    return new ClusterKey(store, password);
  }

  /** The store of a cluster directory written by {@link #create}, or null when it has none. */
  public static ClusterKey read(Path dir) {
    Path store = dir.resolve(STORE_FILE);
    Path passwordFile = dir.resolve(PASSWORD_FILE);
    if (!Files.isReadable(store) || !Files.isReadable(passwordFile)) {
      return null;
    }
    try {
      return new ClusterKey(store, Files.readString(passwordFile, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + passwordFile, e);
    }
  }

  /** The node settings naming the store; the password goes by the environment ({@link #environment}). */
  public Map<String, String> nodeSettings() {
    return Map.of(RemotingTls.KEY_STORE, keyStore.toString());
  }

  /** The password as the nodes read it: from the environment, never from the command line. */
  public Map<String, String> environment() {
    return Map.of("EP_KEY_STORE_PASSWORD", password);
  }

  /** {@code base} with this store for a client's remoting. */
  public Config clientConfig(Config base) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(RemotingTls.KEY_STORE, keyStore.toString());
    m.put(RemotingTls.PASSWORD, password);
    return ConfigFactory.parseMap(m).withFallback(base);
  }
}
