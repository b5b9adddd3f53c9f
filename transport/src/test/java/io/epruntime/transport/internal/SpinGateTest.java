package io.epruntime.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Spinning needs two cores per spinning transport thread on the host, re-counted every few seconds. */
class SpinGateTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final AtomicInteger spinners = new AtomicInteger(4);
  private final AtomicInteger counts = new AtomicInteger();

  private SpinGate gate(int cores) {
    return new SpinGate(() -> cores, () -> {
      counts.incrementAndGet();
      return spinners.get();
    }, now::get);
  }

  @Test
  void fourSpinnersSpinOnSixteenCoresAndNotOnTwo() {
    assertTrue(gate(16).allowed(), "4 transport threads on 16 cores");
    assertTrue(gate(8).allowed(), "4 transport threads on 8 cores: exactly two each");
    assertFalse(gate(7).allowed(), "4 transport threads on 7 cores");
    assertFalse(gate(2).allowed(), "4 ranks on the 2-core CI machine");
    spinners.set(1);
    assertTrue(gate(2).allowed(), "one node alone on 2 cores");
    assertFalse(gate(1).allowed(), "one core never spins");
  }

  @Test
  void theCountIsReadAgainAfterFiveSecondsOnly() {
    SpinGate g = gate(8);
    assertTrue(g.allowed());
    spinners.set(5); // a client started on this host
    now.addAndGet(4_000_000_000L);
    assertTrue(g.allowed(), "not re-counted within 5 s");
    assertEquals(1, counts.get());
    now.addAndGet(1_000_000_000L);
    assertFalse(g.allowed(), "re-counted: 5 spinners need 10 cores");
    assertEquals(2, counts.get());
  }
}
