package io.epruntime.rank.backend;

/** The generation a step ran in ended (a rank failed, the world was aborted); the step may be retried. */
public final class WorldAbortedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final long generation;

  public WorldAbortedException(long generation, String reason) {
    super("world generation " + generation + " was aborted: " + reason);
    this.generation = generation;
  }

  public long generation() {
    return generation;
  }
}
