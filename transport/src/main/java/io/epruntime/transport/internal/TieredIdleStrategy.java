package io.epruntime.transport.internal;

import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * Agrona's {@link BackoffIdleStrategy} (spin, yield, park doubling up to a max) while the thread has
 * been busy recently, and a plain long park once it has found no work for a while. An idle node's
 * threads then wake ~100 times a second instead of ~1000, which is what keeps its CPU near zero;
 * {@link LockSupport#unpark} (a send) still wakes it at once.
 */
public final class TieredIdleStrategy implements IdleStrategy {
  private final BackoffIdleStrategy backoff;
  private final long deepAfterNs;
  private final long deepParkNs;
  private long idleSinceNs;
  private boolean idle;

  /**
   * @param maxParkNs the back-off's longest park
   * @param deepAfterNs no-work time after which the thread parks {@code deepParkNs}
   * @param deepParkNs the long park; 0 = never
   */
  public TieredIdleStrategy(long maxParkNs, long deepAfterNs, long deepParkNs) {
    this.backoff = new BackoffIdleStrategy(10, 5, 1_000, maxParkNs);
    this.deepAfterNs = deepAfterNs;
    this.deepParkNs = deepParkNs;
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
    if (deepParkNs > 0 && System.nanoTime() - idleSinceNs > deepAfterNs) {
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
