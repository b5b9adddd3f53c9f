package io.epruntime.transport.internal;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * Agrona's {@link BackoffIdleStrategy} (spin, yield, park doubling up to a max) while the thread has
 * been busy recently, and a plain long park once it has found no work for a while. An idle node's
 * threads then wake ~100 times a second instead of ~1000, which is what keeps its CPU near zero;
 * {@link LockSupport#unpark} (a send) still wakes it at once. While {@code holdAwake} says so (a step
 * is in flight on this node, so its frames may come any moment) the deep park is skipped. While a
 * step is in flight, for {@code spinWindowNs} after the last frame moved and while the
 * {@link SpinGate} allows it, the thread spins instead: the step's next frame then costs no
 * wake-up from a park.
 */
public final class TieredIdleStrategy implements IdleStrategy {
  private final BackoffIdleStrategy backoff;
  private final long deepAfterNs;
  private final long deepParkNs;
  private final BooleanSupplier holdAwake;
  private final long spinWindowNs;
  private final LongSupplier lastTrafficNs;
  private final SpinGate spinGate;
  private long idleSinceNs;
  private int spins;
  private boolean idle;

  /**
   * @param maxParkNs the back-off's longest park
   * @param deepAfterNs no-work time after which the thread parks {@code deepParkNs}
   * @param deepParkNs the long park; 0 = never
   * @param holdAwake true while the deep park must not be used
   * @param spinWindowNs how long after the last traffic to spin; 0 = never
   * @param lastTrafficNs when a frame last moved ({@link System#nanoTime()})
   * @param spinGate whether this host has the cores to spin
   */
  public TieredIdleStrategy(long maxParkNs, long deepAfterNs, long deepParkNs, BooleanSupplier holdAwake, long spinWindowNs,
      LongSupplier lastTrafficNs, SpinGate spinGate) {
    this.backoff = new BackoffIdleStrategy(10, 5, 1_000, maxParkNs);
    this.deepAfterNs = deepAfterNs;
    this.deepParkNs = deepParkNs;
    this.holdAwake = holdAwake;
    this.spinWindowNs = spinWindowNs;
    this.lastTrafficNs = lastTrafficNs;
    this.spinGate = spinGate;
  }

  public TieredIdleStrategy(long maxParkNs, long deepAfterNs, long deepParkNs) {
    this(maxParkNs, deepAfterNs, deepParkNs, () -> false, 0, () -> 0L, null);
  }

  @Override
  public void idle(int workCount) {
    if (workCount > 0) {
      reset();
    } else {
      idle();
    }
  }

  @Override
  public void idle() {
    long now = System.nanoTime();
    if (!idle) {
      idle = true;
      idleSinceNs = now;
    }
    if (spinsAt(now)) {
      // Mostly a pause instruction; now and then a yield, so a thread waiting for this core runs.
      if ((++spins & 63) == 0) {
        Thread.yield();
      } else {
        Thread.onSpinWait();
      }
      return;
    }
    if (deepParkNs > 0 && now - idleSinceNs > deepAfterNs && !holdAwake.getAsBoolean()) {
      LockSupport.parkNanos(deepParkNs);
    } else {
      backoff.idle();
    }
  }

  /**
   * Whether an idle turn at {@code nowNs} spins rather than parks: only while a step is in flight
   * here ({@code holdAwake}), within the window after the last frame, and where the host has the cores.
   */
  boolean spinsAt(long nowNs) {
    return spinWindowNs > 0 && nowNs - lastTrafficNs.getAsLong() < spinWindowNs && holdAwake.getAsBoolean()
        && spinGate.allowed();
  }

  @Override
  public void reset() {
    idle = false;
    backoff.reset();
  }

  @Override
  public String alias() {
    return "tiered-backoff";
  }
}
