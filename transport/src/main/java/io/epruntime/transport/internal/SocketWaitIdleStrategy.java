package io.epruntime.transport.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.IdleStrategy;

/**
 * The transport thread's idle strategy when it can block on the media driver's sockets
 * ({@code ep.transport.idle-wait = socket}; the default, {@code park}, is {@link TieredIdleStrategy}):
 * with no work it sleeps in {@link DriverSockets#await} until a datagram arrives or another thread
 * queues work, bounded by a
 * short timeout while frames moved recently or a step is in flight (the driver's timers:
 * heartbeats, status messages, retransmits, send time-outs) and by {@code deep-idle-park} once the
 * node has been idle for {@code deep-idle-after}. It never spins and never takes a timed park on a
 * frame's path: the frame itself is what wakes the thread.
 *
 * <p>Before the first wait after work it yields the core {@link #YIELDS} times, as Agrona's back-off
 * does: on a machine with more runnable threads than cores that lets the threads a frame goes
 * through next run at once (the reply often lands before the last yield); on an idle core a yield
 * returns at once, so the prelude costs a few microseconds.
 *
 * <p>A socket that stayed readable although the driver's duty cycles took nothing from it would make
 * every wait return at once. Wake-ups that find a readable socket but lead to no work are normal at a
 * low rate (peers' heartbeats, which the agent does not count as work); more than
 * {@link #MAX_EMPTY_WAKEUPS} of them within {@link #EMPTY_WINDOW_NS} can only be such a fault, and
 * then every wait is a timed park of the short timeout instead: no fault of that kind turns into a
 * spinning thread.
 */
public final class SocketWaitIdleStrategy implements IdleStrategy {
  /** Wake-ups with a readable socket and no work after them, per window, before waits become parks. */
  static final int MAX_EMPTY_WAKEUPS = 1000;
  static final long EMPTY_WINDOW_NS = TimeUnit.MILLISECONDS.toNanos(100);
  /** Yields after work before the first wait. */
  static final int YIELDS = 5;

  private final DriverSockets sockets;
  private final int maxEmptyWakeups;
  private final long emptyWindowNs;
  private final long activeTimeoutMs;
  private final long deepAfterNs;
  private final long deepTimeoutMs;
  private final BooleanSupplier holdAwake;
  private long idleSinceNs;
  private boolean idle;
  private int emptyWakeups;
  private long emptyWindowStartNs;
  private boolean lastWaitFoundSockets;
  private int yields;
  private long faultParks;

  /**
   * @param activeTimeoutNs longest wait while the node is active (rounded up to whole milliseconds)
   * @param deepAfterNs no-work time after which the long timeout applies
   * @param deepTimeoutNs the long timeout; 0 = never use it
   * @param holdAwake true while the long timeout must not be used (a step is in flight here)
   */
  public SocketWaitIdleStrategy(DriverSockets sockets, long activeTimeoutNs, long deepAfterNs, long deepTimeoutNs,
      BooleanSupplier holdAwake) {
    this(sockets, activeTimeoutNs, deepAfterNs, deepTimeoutNs, holdAwake, MAX_EMPTY_WAKEUPS, EMPTY_WINDOW_NS);
  }

  SocketWaitIdleStrategy(DriverSockets sockets, long activeTimeoutNs, long deepAfterNs, long deepTimeoutNs,
      BooleanSupplier holdAwake, int maxEmptyWakeups, long emptyWindowNs) {
    this.sockets = sockets;
    this.maxEmptyWakeups = maxEmptyWakeups;
    this.emptyWindowNs = emptyWindowNs;
    this.activeTimeoutMs = Math.max(1, ceilMillis(activeTimeoutNs));
    this.deepAfterNs = deepAfterNs;
    this.deepTimeoutMs = ceilMillis(deepTimeoutNs);
    this.holdAwake = holdAwake;
  }

  private static long ceilMillis(long nanos) {
    return (nanos + TimeUnit.MILLISECONDS.toNanos(1) - 1) / TimeUnit.MILLISECONDS.toNanos(1);
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
      yields = 0;
    }
    if (yields < YIELDS) {
      yields++;
      Thread.yield();
      return;
    }
    if (lastWaitFoundSockets && countEmptyWakeup(now)) {
      lastWaitFoundSockets = false;
      faultParks++;
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(activeTimeoutMs));
      return;
    }
    boolean deep = deepTimeoutMs > 0 && now - idleSinceNs > deepAfterNs && !holdAwake.getAsBoolean();
    lastWaitFoundSockets = sockets.await(deep ? deepTimeoutMs : activeTimeoutMs) > 0;
  }

  /** Counts a wake-up that found a socket readable but no work; true once there were too many. */
  private boolean countEmptyWakeup(long now) {
    if (now - emptyWindowStartNs > emptyWindowNs) {
      emptyWindowStartNs = now;
      emptyWakeups = 0;
    }
    return ++emptyWakeups > maxEmptyWakeups;
  }

  /** Timed parks taken because a socket stayed readable with no work (tests). */
  long faultParks() {
    return faultParks;
  }

  @Override
  public void reset() {
    idle = false;
    lastWaitFoundSockets = false;
  }

  @Override
  public String alias() {
    return "socket-wait";
  }
}
