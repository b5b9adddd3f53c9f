package io.epruntime.client;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.List;

/**
 * How a client reaches the cluster, how patient it is, and which world it expects.
 *
 * <p>The world's shape ({@code ep.world-size}, {@code ep.experts}, {@code ep.hidden}, {@code ep.topk},
 * {@code ep.ll-max-tokens-per-rank}, {@code ep.alignment}, {@code ep.dtype}) is the cluster's: the
 * client learns it from the coordinator when it connects. {@code expectedWorld} says which of those
 * keys this client relies on: a key it sets must be what the cluster runs, else
 * {@link EpClient#connect} fails with {@link WorldMismatchException} naming every differing key with
 * both values; a key it leaves open is adopted from the cluster. {@link #fromConfig} expects the
 * world keys the configuration sets explicitly (not the reference.conf defaults); {@link #of} and
 * the five-argument constructor expect nothing.
 *
 * @param gateways {@code host:port} of nodes' Pekko remoting; any node's gateway will do
 * @param connectTimeout how long {@link EpClient#connect} waits for a Ready world
 * @param stepTimeout how long one attempt of a step may take
 * @param maxInFlight steps this client has outstanding at most; more fail with {@link BackPressureException}
 * @param maxRetries extra attempts for a step that failed with a retriable error (0 = none)
 * @param expectedWorld the world keys the cluster must match ({@link ExpectedWorld#ANY}: adopt the cluster's world)
 * @param checkFinite refuse a step whose {@code x} holds NaN or an infinity ({@link StepRejectedException}
 *     naming rank, token and channel) before anything is sent; costs one pass over the inputs
 */
public record ClientSettings(
    List<String> gateways, Duration connectTimeout, Duration stepTimeout, int maxInFlight, int maxRetries,
    ExpectedWorld expectedWorld, boolean checkFinite) {

  public ClientSettings {
    InvalidArgumentException.require(gateways != null && !gateways.isEmpty(), "gateways", gateways, "at least one host:port");
    for (String g : gateways) {
      InvalidArgumentException.require(g != null && g.matches("[^:\\s]+:\\d{1,5}") && port(g) >= 1 && port(g) <= 65535, "gateways", g,
          "host:port entries with a port in 1..65535, e.g. 127.0.0.1:17355 (a node's Pekko remoting port)");
    }
    gateways = List.copyOf(gateways);
    InvalidArgumentException.require(connectTimeout != null && !connectTimeout.isNegative() && !connectTimeout.isZero(),
        "connectTimeout", connectTimeout, "a positive duration");
    InvalidArgumentException.require(stepTimeout != null && !stepTimeout.isNegative() && !stepTimeout.isZero(),
        "stepTimeout", stepTimeout, "a positive duration");
    InvalidArgumentException.require(maxInFlight >= 1, "maxInFlight", maxInFlight, ">= 1");
    InvalidArgumentException.require(maxRetries >= 0, "maxRetries", maxRetries, ">= 0");
    InvalidArgumentException.require(expectedWorld != null, "expectedWorld", expectedWorld, "ExpectedWorld.ANY to adopt the cluster's world");
  }

  private static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  /** Settings that check inputs for NaN and infinities. */
  public ClientSettings(
      List<String> gateways, Duration connectTimeout, Duration stepTimeout, int maxInFlight, int maxRetries, ExpectedWorld expectedWorld) {
    this(gateways, connectTimeout, stepTimeout, maxInFlight, maxRetries, expectedWorld, true);
  }

  /** Settings that adopt whatever world the cluster runs and check inputs for NaN and infinities. */
  public ClientSettings(List<String> gateways, Duration connectTimeout, Duration stepTimeout, int maxInFlight, int maxRetries) {
    this(gateways, connectTimeout, stepTimeout, maxInFlight, maxRetries, ExpectedWorld.ANY);
  }

  /** Defaults: 60 s to connect, 30 s per step, 16 in flight, 3 retries, inputs checked for NaN and infinities. */
  public static ClientSettings of(List<String> gateways) {
    return new ClientSettings(gateways, Duration.ofSeconds(60), Duration.ofSeconds(30), 16, 3);
  }

  /**
   * Reads {@code ep.client.*} (see the client's reference.conf) and, as the expected world, the
   * {@code ep.*} world keys {@code c} sets explicitly ({@link ExpectedWorld#fromConfig}).
   */
  public static ClientSettings fromConfig(Config c) {
    ExpectedWorld expected = ExpectedWorld.fromConfig(c);
    try {
      Config k = c.getConfig("ep.client");
      return new ClientSettings(k.getStringList("gateways"), k.getDuration("connect-timeout"), k.getDuration("step-timeout"),
          k.getInt("max-in-flight"), k.getInt("max-retries"), expected, k.getBoolean("check-finite"));
    } catch (ConfigException e) {
      throw new InvalidArgumentException("ep.client", "bad client configuration: " + e.getMessage());
    }
  }

  public ClientSettings withMaxRetries(int n) {
    return new ClientSettings(gateways, connectTimeout, stepTimeout, maxInFlight, n, expectedWorld, checkFinite);
  }

  public ClientSettings withStepTimeout(Duration d) {
    return new ClientSettings(gateways, connectTimeout, d, maxInFlight, maxRetries, expectedWorld, checkFinite);
  }

  public ClientSettings withMaxInFlight(int n) {
    return new ClientSettings(gateways, connectTimeout, stepTimeout, n, maxRetries, expectedWorld, checkFinite);
  }

  public ClientSettings withConnectTimeout(Duration d) {
    return new ClientSettings(gateways, d, stepTimeout, maxInFlight, maxRetries, expectedWorld, checkFinite);
  }

  /** These settings expecting {@code world} of the cluster ({@link ExpectedWorld#ANY}: adopt the cluster's). */
  public ClientSettings withExpectedWorld(ExpectedWorld world) {
    return new ClientSettings(gateways, connectTimeout, stepTimeout, maxInFlight, maxRetries, world, checkFinite);
  }

  /** These settings with the NaN and infinity check of {@code x} on or off. */
  public ClientSettings withCheckFinite(boolean on) {
    return new ClientSettings(gateways, connectTimeout, stepTimeout, maxInFlight, maxRetries, expectedWorld, on);
  }
}
