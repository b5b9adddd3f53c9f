package io.epruntime.transport.internal;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * Agrona's {@link BackoffIdleStrategy} (spin, yield, park doubling up to a max) while the thread has
 * been busy recently, and a plain long park once it has found no work for a while. An idle node's
 * threads then wake ~100 times a second instead of ~1000, which is what keeps its CPU near zero;
 * {@link LockSupport#unpark} (a send) still wakes it at once. While {@code holdAwake} says so (a step
 * is in flight on this node, so its frames may come any moment) the deep park is skipped.
 */
public final class TieredIdleStrategy implements IdleStrategy {
  private final BackoffIdleStrategy backoff;
  private final long deepAfterNs;
  private final long deepParkNs;
  private final BooleanSupplier holdAwake;
  private long idleSinceNs;
  private boolean idle;

  /**
   * @param maxParkNs the back-off's longest park
   * @param deepAfterNs no-work time after which the thread parks {@code deepParkNs}
   * @param deepParkNs the long park; 0 = never
   * @param holdAwake true while the deep park must not be used
   */
  public TieredIdleStrategy(long maxParkNs, long deepAfterNs, long deepParkNs, BooleanSupplier holdAwake) {
    this.backoff = new BackoffIdleStrategy(10, 5, 1_000, maxParkNs);
    this.deepAfterNs = deepAfterNs;
    this.deepParkNs = deepParkNs;
    this.holdAwake = holdAwake;
  }

  public TieredIdleStrategy(long maxParkNs, long deepAfterNs, long deepParkNs) {
    this(maxParkNs, deepAfterNs, deepParkNs, () -> false);
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
    if (!idle) {
      idle = true;
      idleSinceNs = System.nanoTime();
    }
    if (deepParkNs > 0 && System.nanoTime() - idleSinceNs > deepAfterNs && !holdAwake.getAsBoolean()) {
      LockSupport.parkNanos(deepParkNs);
    } else {
      backoff.idle();
    }
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
