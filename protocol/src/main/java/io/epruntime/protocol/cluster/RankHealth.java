package io.epruntime.protocol.cluster;

import java.util.Locale;

/**
 * Where a rank stands, as it reports itself in every {@code RankHello} ({@code protocol.actor}). {@link #FAILED} and
 * {@link #REJECTED} come with a detail saying why; the others need none.
 */
public enum RankHealth {
  /** In no generation. */
  IDLE,
  /** Joining a generation (either bootstrap phase). */
  JOINING,
  /** Joined; the generation is not Ready yet. */
  JOINED,
  /** In the Ready generation, no step running. */
  READY,
  /** In the Ready generation, running a step. */
  RUNNING,
  /** Its backend could not join the last generation. */
  FAILED,
  /** The coordinator refused it (a duplicate rank, another world's shape). */
  REJECTED;

  /** The lower-case name status pages and logs show, with the detail when there is one. */
  public String describe(String detail) {
    String name = name().toLowerCase(Locale.ROOT);
    return detail == null || detail.isEmpty() ? name : name + ": " + detail;
  }
}
