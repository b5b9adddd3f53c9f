package io.epruntime.coordinator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.config.EpSettings;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.transport.ArteryAeronUdp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's {@code ep.*} settings (see reference.conf), read and validated once at start; every
 * refusal names the key, the value and what is allowed.
 *
 * @param rank {@code ep.node.rank}
 * @param host {@code ep.node.host}
 * @param seedNodes {@code ep.cluster.seed-nodes}, each {@code host:port}, with any {@value #RANK_PLACEHOLDER}
 *     entry already expanded to one entry per rank
 * @param backend {@code ep.backend}: auto, cpu or nccl
 */
public record NodeSettings(
    EpConfig world, int rank, String host, List<String> seedNodes, String backend, Duration healthInterval,
    int probeMisses, Duration stepTimeout, int maxInFlight, Duration bootstrapTimeout, Duration inputDeadline) {

  public static final List<String> BACKENDS = List.of("auto", "cpu", "nccl");
  /** In a seed-node entry, stands for every rank's number: one entry per rank of the world. */
  public static final String RANK_PLACEHOLDER = "{rank}";
  /** Pekko remoting transports a node runs on ({@code pekko.remote.artery.transport}). */
  public static final List<String> TRANSPORTS = List.of("tcp", "aeron-udp");

  public NodeSettings {
    EpArgumentException.require(rank >= 0 && rank < world.worldSize(), "ep.node.rank", rank,
        "0.." + (world.worldSize() - 1) + " for ep.world-size = " + world.worldSize() + " (set it, or EP_RANK)");
    EpArgumentException.require(BACKENDS.contains(backend), "ep.backend", backend, String.join(", ", BACKENDS));
    EpArgumentException.require(!seedNodes.isEmpty(), "ep.cluster.seed-nodes", seedNodes, "at least one host:port");
    for (String s : seedNodes) {
      EpArgumentException.require(s.matches("[^:\\s]+:\\d{1,5}"), "ep.cluster.seed-nodes", s, "host:port entries");
    }
    positive("ep.health.interval", healthInterval);
    positive("ep.step-timeout", stepTimeout);
    positive("ep.bootstrap-timeout", bootstrapTimeout);
    positive("ep.input-deadline", inputDeadline);
    EpArgumentException.require(inputDeadline.compareTo(stepTimeout) < 0, "ep.input-deadline", inputDeadline,
        "shorter than ep.step-timeout = " + stepTimeout);
    EpArgumentException.require(probeMisses >= 1, "ep.health.probe-misses", probeMisses, ">= 1");
    EpArgumentException.require(maxInFlight >= 1 && maxInFlight <= 4096, "ep.max-in-flight", maxInFlight, "1..4096");
  }

  private static void positive(String key, Duration d) {
    EpArgumentException.require(!d.isNegative() && !d.isZero(), key, d, "a positive duration");
  }

  /**
   * Reads the settings; a missing or mistyped key becomes an {@link EpArgumentException} naming it.
   * Also checks {@code pekko.remote.artery.transport}, which Pekko would only refuse deep in its
   * start-up.
   */
  public static NodeSettings fromConfig(Config c) {
    try {
      String transport = c.getString(ArteryAeronUdp.TRANSPORT_KEY);
      EpArgumentException.require(TRANSPORTS.contains(transport), ArteryAeronUdp.TRANSPORT_KEY, transport, String.join(", ", TRANSPORTS));
      if (c.hasPath("ep.step-control")) {
        throw new EpArgumentException("ep.step-control", "ep.step-control is no longer read: steps always go over the nodes' "
            + "Aeron drivers; remove the key");
      }
      return new NodeSettings(
          worldConfig(c), c.getInt("ep.node.rank"), c.getString("ep.node.host"),
          expandSeeds(c.getStringList("ep.cluster.seed-nodes"), worldConfig(c).worldSize()),
          c.getString("ep.backend"), c.getDuration("ep.health.interval"), c.getInt("ep.health.probe-misses"),
          c.getDuration("ep.step-timeout"), c.getInt("ep.max-in-flight"), c.getDuration("ep.bootstrap-timeout"),
          c.getDuration("ep.input-deadline"));
    } catch (ConfigException e) {
      throw new EpArgumentException("ep", "bad configuration: " + e.getMessage());
    }
  }

  /**
   * Every node should be a seed: Pekko's first seed then forms a cluster only when no other seed
   * answers from an existing one, so a restarted first seed (or several seeds restarted together)
   * rejoins the running cluster instead of forming a second one. An entry with
   * {@value #RANK_PLACEHOLDER} ({@code ep-node-{rank}.ep-nodes:17355}) names every rank's node.
   */
  static List<String> expandSeeds(List<String> entries, int worldSize) {
    List<String> out = new ArrayList<>();
    for (String e : entries) {
      if (e.contains(RANK_PLACEHOLDER)) {
        for (int r = 0; r < worldSize; r++) {
          out.add(e.replace(RANK_PLACEHOLDER, Integer.toString(r)));
        }
      } else {
        out.add(e);
      }
    }
    return List.copyOf(out);
  }

  /** The world's shape from {@code ep.world-size}, {@code ep.experts}, ... (validated by {@link EpSettings}). */
  public static EpConfig worldConfig(Config c) {
    return EpSettings.fromConfig(c).world();
  }

  /** Seed nodes as Pekko addresses of the {@code ep} actor system. */
  public List<String> seedAddresses() {
    return seedNodes.stream().map(s -> "pekko://" + Node.SYSTEM_NAME + "@" + s).toList();
  }
}
