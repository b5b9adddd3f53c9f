package io.epruntime.coordinator;

import io.epruntime.protocol.actor.RankHello;
import io.epruntime.protocol.cluster.ToRank;
import io.epruntime.protocol.ep.EpConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The coordinator's view of the ranks, rebuilt from {@link RankHello}s alone (so a new coordinator
 * after fail-over needs nothing else). Decides who holds a rank number: the same rank from a new
 * incarnation at the same address replaces the old one (a restart); from another address while the
 * holder is alive, it is a duplicate and refused.
 */
final class RankRegistry {
  private final EpConfig world;
  private final long staleAfterNanos;
  private final TreeMap<Integer, Entry> ranks = new TreeMap<>();

  RankRegistry(EpConfig world, long staleAfterNanos) {
    this.world = world;
    this.staleAfterNanos = staleAfterNanos;
  }

  /** What a hello did to the registry. */
  sealed interface Outcome {}

  /**
   * Accepted; {@code replaced} is the previous holder of the rank when it was another incarnation,
   * {@code fresh} says the entry is new (so the coordinator starts watching it).
   */
  record Accepted(Entry entry, Entry replaced, boolean fresh) implements Outcome {}

  /** Refused; {@code reason} says why, for the log, the rank and the status. */
  record Refused(String reason) implements Outcome {}

  /** One registered rank. */
  static final class Entry {
    final int rank;
    final ActorRef<ToRank> ref;
    String endpoint;
    String health;
    long generation;
    long lastSeq;
    long lastSeenNanos;
    boolean reachable = true;
    boolean watched;

    Entry(int rank, ActorRef<ToRank> ref) {
      this.rank = rank;
      this.ref = ref;
    }

    Address address() {
      return ref.path().address();
    }
  }

  Outcome onHello(RankHello h, long nowNanos) {
    if (h.rank() < 0 || h.rank() >= world.worldSize()) {
      return new Refused("ep.node.rank = " + h.rank() + " is outside 0.." + (world.worldSize() - 1) + " (ep.world-size = "
          + world.worldSize() + "); node " + h.rankRef().path().address());
    }
    if (!world.equals(h.config())) {
      return new Refused("rank " + h.rank() + " at " + h.rankRef().path().address() + " is configured with " + h.config()
          + " but the world is " + world);
    }
    Entry current = ranks.get(h.rank());
    Entry replaced = null;
    if (current != null && !current.ref.equals(h.rankRef())) {
      boolean sameAddress = sameHostPort(current.address(), h.rankRef().path().address());
      boolean alive = current.reachable && nowNanos - current.lastSeenNanos < staleAfterNanos;
      if (alive && !sameAddress) {
        return new Refused("duplicate rank " + h.rank() + ": " + h.rankRef().path().address() + " claims it but "
            + current.address() + " holds it");
      }
      replaced = ranks.remove(h.rank());
      current = null;
    }
    boolean fresh = current == null;
    if (fresh) {
      current = new Entry(h.rank(), h.rankRef());
      ranks.put(h.rank(), current);
    }
    current.endpoint = h.aeronEndpoint();
    current.health = h.describeHealth();
    current.generation = h.generation();
    current.lastSeq = h.lastSeq();
    current.lastSeenNanos = nowNanos;
    current.reachable = true;
    return new Accepted(current, replaced, fresh);
  }

  private static boolean sameHostPort(Address a, Address b) {
    return a.host().equals(b.host()) && a.port().equals(b.port());
  }

  Optional<Entry> get(int rank) {
    return Optional.ofNullable(ranks.get(rank));
  }

  /** Removes {@code ref}'s entry if it still holds its rank; returns the rank or -1. */
  int remove(ActorRef<ToRank> ref) {
    for (Entry e : ranks.values()) {
      if (e.ref.equals(ref)) {
        ranks.remove(e.rank);
        return e.rank;
      }
    }
    return -1;
  }

  /** Marks every rank at {@code address} (un)reachable; returns their rank numbers. */
  List<Integer> setReachable(Address address, boolean reachable) {
    List<Integer> hit = new ArrayList<>();
    for (Entry e : ranks.values()) {
      if (e.address().equals(address)) {
        e.reachable = reachable;
        hit.add(e.rank);
      }
    }
    return hit;
  }

  /** Ranks that answered no probe within the stale window. */
  List<Integer> silent(long nowNanos) {
    List<Integer> out = new ArrayList<>();
    for (Entry e : ranks.values()) {
      if (nowNanos - e.lastSeenNanos >= staleAfterNanos) {
        out.add(e.rank);
      }
    }
    return out;
  }

  /**
   * Ranks 0..N-1 without a live, reachable entry on a node that is an Up member ({@code memberUp}):
   * a restarted rank counts only once its new incarnation is Up, so a world never forms around a
   * node that the cluster is still replacing.
   */
  List<Integer> missing(long nowNanos, Predicate<Address> memberUp) {
    List<Integer> out = new ArrayList<>();
    for (int r = 0; r < world.worldSize(); r++) {
      Entry e = ranks.get(r);
      if (e == null || !e.reachable || nowNanos - e.lastSeenNanos >= staleAfterNanos || !memberUp.test(e.address())) {
        out.add(r);
      }
    }
    return out;
  }

  Iterable<Entry> entries() {
    return ranks.values();
  }

  long maxGeneration() {
    return ranks.values().stream().mapToLong(e -> e.generation).max().orElse(0);
  }

  long maxLastSeq() {
    return ranks.values().stream().mapToLong(e -> e.lastSeq).max().orElse(-1);
  }
}
