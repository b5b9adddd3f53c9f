package io.epruntime.transport.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The thread spins only within the window after the last frame, and only where the gate allows. */
class TieredIdleStrategyTest {
  private static final long WINDOW = 200_000;
  private final AtomicLong lastTraffic = new AtomicLong();
  private final AtomicBoolean cores = new AtomicBoolean(true);
  private final AtomicBoolean stepInFlight = new AtomicBoolean(true);

  private TieredIdleStrategy strategy(long window) {
    SpinGate gate = new SpinGate(() -> cores.get() ? 16 : 2, () -> 4, () -> 0L);
    return new TieredIdleStrategy(50_000, 250_000_000, 50_000_000, stepInFlight::get, window, lastTraffic::get, gate);
  }

  @Test
  void spinsWithinTheWindowAfterTrafficAndNotAfterIt() {
    TieredIdleStrategy s = strategy(WINDOW);
    long now = 10_000_000_000L;
    lastTraffic.set(now - WINDOW / 2);
    assertTrue(s.spinsAt(now), "100 us after the last frame");
    lastTraffic.set(now - WINDOW - 1);
    assertFalse(s.spinsAt(now), "past the window: park as before");
  }

  @Test
  void aZeroWindowOrTooFewCoresNeverSpin() {
    long now = 10_000_000_000L;
    lastTraffic.set(now);
    assertFalse(strategy(0).spinsAt(now), "spin-window = 0");
    cores.set(false);
    assertFalse(strategy(WINDOW).spinsAt(now), "4 spinners on 2 cores");
  }

  @Test
  void withNoStepInFlightItNeverSpins() {
    long now = 10_000_000_000L;
    lastTraffic.set(now);
    stepInFlight.set(false);
    assertFalse(strategy(WINDOW).spinsAt(now), "traffic without a step (a status query, a connect) parks as before");
  }
}
