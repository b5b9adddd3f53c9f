package io.epruntime.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdleCpuTest {
  @Test
  void parsesUserAndSystemTicksEvenWithSpacesAndParensInTheName() {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    String stat = "4242 (java (my) app) S 1 2 3 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 31 0 1234 0 0";
    assertEquals((250 + 75) * 10_000_000L, IdleCpu.fromProcStat(stat));
  }

  @Test
  void cpuTimeGrowsWhenThisProcessWorks() {
    long before = IdleCpu.processCpuNanos();
    long deadline = System.nanoTime() + 200_000_000L;
    double sink = 0;
    // Real work until 200 ms of wall time pass; /proc ticks are 10 ms, so the count must move.
    while (System.nanoTime() < deadline) {
      sink += Math.sqrt(sink + 1);
    }
    assertTrue(sink > 0);
    assertTrue(IdleCpu.processCpuNanos() > before);
  }
}
