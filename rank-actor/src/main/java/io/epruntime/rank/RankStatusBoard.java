package io.epruntime.rank;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What this node's health endpoints read: written by the rank actor and the node's membership
 * listener, read by HTTP threads, so every field is atomic.
 */
public final class RankStatusBoard {
  private final AtomicReference<String> health = new AtomicReference<>("idle");
  private final AtomicLong joinedGeneration = new AtomicLong();
  private final AtomicLong readyGeneration = new AtomicLong();
  private final AtomicLong lastSeq = new AtomicLong(-1);
  private volatile boolean memberUp;

  public String health() {
    return health.get();
  }

  public void health(String value) {
    health.set(value);
  }

  public long joinedGeneration() {
    return joinedGeneration.get();
  }

  public void joinedGeneration(long g) {
    joinedGeneration.set(g);
  }

  /** The generation the coordinator declared Ready while this rank was in it; 0 when none. */
  public long readyGeneration() {
    return readyGeneration.get();
  }

  public void readyGeneration(long g) {
    readyGeneration.set(g);
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
  }

  /** Ready = member Up and this rank in the current Ready generation. */
  public boolean ready() {
    long ready = readyGeneration.get();
    return memberUp && ready > 0 && ready == joinedGeneration.get();
  }
}
