package io.epruntime.rank;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import java.time.Duration;

/**
 * What a rank actor needs from the node's configuration, validated once at start.
 *
 * @param rank this node's rank ({@code ep.node.rank})
 * @param config the world's shape
 * @param aeronEndpoint {@code host:port} of this node's Aeron subscriptions
 * @param stepTimeout {@code ep.step-timeout}
 * @param maxInFlight {@code ep.max-in-flight}, sizes the input buffer
 * @param inputDeadline {@code ep.input-deadline}: how long a step whose turn came waits for its tensors
 */
public record RankSettings(
    int rank, EpConfig config, String aeronEndpoint, Duration stepTimeout, int maxInFlight, Duration inputDeadline) {

  public RankSettings {
    EpArgumentException.require(rank >= 0 && rank < config.worldSize(), "ep.node.rank", rank,
        "0.." + (config.worldSize() - 1) + " (ep.world-size = " + config.worldSize() + ")");
    EpArgumentException.require(maxInFlight >= 1, "ep.max-in-flight", maxInFlight, ">= 1");
  }
}
