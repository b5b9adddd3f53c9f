package io.epruntime.transport.internal;

import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Whether a transport thread may spin now: only while the host has at least two cores for each
 * spinning transport thread on it (the spinner's own, and one for the thread it hands work to).
 * Spinners on more threads than that would take the cores the rank actors, the GPU callback and
 * the JIT need, and every step would get slower. The count is re-read every few seconds, since
 * nodes and clients come and go; the answer is read on every idle turn, so it stays cheap.
 */
public final class SpinGate {
  private static final long RECHECK_NS = 5_000_000_000L;

  private final IntSupplier cores;
  private final IntSupplier spinners;
  private final LongSupplier clock;
  private long nextCheckNs;
  private boolean allowed;

  /**
   * @param cores the cores this process may use
   * @param spinners the spinning transport threads on this host, this one included
   * @param clock nanoseconds
   */
  public SpinGate(IntSupplier cores, IntSupplier spinners, LongSupplier clock) {
    this.cores = cores;
    this.spinners = spinners;
    this.clock = clock;
    this.nextCheckNs = clock.getAsLong();
  }

  /** Called by the one transport thread that owns this gate. */
  public boolean allowed() {
    long now = clock.getAsLong();
    if (now - nextCheckNs >= 0) {
      nextCheckNs = now + RECHECK_NS;
      allowed = cores.getAsInt() >= 2 * Math.max(1, spinners.getAsInt());
    }
    return allowed;
  }
}
