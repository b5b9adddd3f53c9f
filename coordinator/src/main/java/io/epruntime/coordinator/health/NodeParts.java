package io.epruntime.coordinator.health;

import io.epruntime.rank.NodeMetrics;
import io.epruntime.rank.RankStatusBoard;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.ActorSystem;

/**
 * What the management endpoints of one node read, found by the node's actor system (Pekko builds
 * health checks and route providers by reflection, handing them only the system).
 */
public record NodeParts(RankStatusBoard board, NodeMetrics metrics) {
  private static final Map<ActorSystem, NodeParts> BY_SYSTEM = new ConcurrentHashMap<>();

  public static void register(ActorSystem system, NodeParts parts) {
    BY_SYSTEM.put(system, parts);
  }

  public static void unregister(ActorSystem system) {
    BY_SYSTEM.remove(system);
  }

  /** The parts of {@code system}'s node; fails clearly when the system is not an ep node. */
  public static NodeParts of(ActorSystem system) {
    NodeParts p = BY_SYSTEM.get(system);
    if (p == null) {
      throw new IllegalStateException("actor system " + system.name() + " is not an ep node (Node.start registers it)");
    }
    return p;
  }
}
