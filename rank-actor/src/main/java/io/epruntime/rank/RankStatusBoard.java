package io.epruntime.rank;

import io.epruntime.protocol.cluster.RankHealth;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What this node's health endpoints read: written by the rank actor and the node's membership
 * listener, read by HTTP threads, so every field is atomic.
 */
public final class RankStatusBoard {
  private final AtomicReference<Health> health = new AtomicReference<>(new Health(RankHealth.IDLE, ""));
  private final AtomicLong joinedGeneration = new AtomicLong();
  private final AtomicLong readyGeneration = new AtomicLong();
  private final AtomicLong lastSeq = new AtomicLong(-1);
  private volatile boolean memberUp;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  /**
   * Runs {@code listener} after every change of membership or generation (on the writer's thread;
   * keep it short), so a node can log "Ready" and generation changes without polling the board.
   */
  public void addListener(Runnable listener) {
    listeners.add(listener);
  }

  private void changed() {
    for (Runnable l : listeners) {
      l.run();
    }
  }

  /** A health with its detail (why, when failed), read and written as one. */
  public record Health(RankHealth state, String detail) {
    public String describe() {
      return state.describe(detail);
    }
  }

  public Health health() {
    return health.get();
  }

  public void health(RankHealth state) {
    health.set(new Health(state, ""));
  }

  public void health(RankHealth state, String detail) {
    health.set(new Health(state, detail == null ? "" : detail));
  }

  public long joinedGeneration() {
    return joinedGeneration.get();
  }

  public void joinedGeneration(long g) {
    joinedGeneration.set(g);
    changed();
  }

  /** The generation the coordinator declared Ready while this rank was in it; 0 when none. */
  public long readyGeneration() {
    return readyGeneration.get();
  }

  public void readyGeneration(long g) {
    readyGeneration.set(g);
    changed();
  }

  public long lastSeq() {
    return lastSeq.get();
  }

  public void lastSeq(long seq) {
    lastSeq.set(seq);
  }

  public boolean memberUp() {
    return memberUp;
  }

  public void memberUp(boolean up) {
    memberUp = up;
    changed();
  }

  /** Ready = member Up and this rank in the current Ready generation. */
  public boolean ready() {
    long ready = readyGeneration.get();
    return memberUp && ready > 0 && ready == joinedGeneration.get();
  }
}
