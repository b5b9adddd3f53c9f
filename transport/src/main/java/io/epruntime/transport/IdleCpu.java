package io.epruntime.transport;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * This process's CPU time, from {@code /proc/self/stat} (user + system ticks of all threads) where
 * it exists, else from the JVM's OperatingSystemMXBean; and a measurement of the share of one core
 * the process used over an interval (the idle-CPU benchmark's probe).
 */
public final class IdleCpu {
  /** Linux's USER_HZ; the kernel reports /proc times in these ticks on every mainstream arch. */
  private static final long TICKS_PER_SECOND = 100;
  private static final Path STAT = Path.of("/proc/self/stat");

  private IdleCpu() {}

  /** One interval's result: CPU time used and wall time passed. */
  public record Sample(long cpuNanos, long wallNanos, String source) {
    /** CPU time / wall time: 1.0 = one core busy the whole interval. */
    public double coreFraction() {
      return wallNanos == 0 ? 0 : (double) cpuNanos / wallNanos;
    }
  }

  /** CPU time this process has used so far, in nanoseconds (tick resolution from /proc: 10 ms). */
  public static long processCpuNanos() {
    if (Files.isReadable(STAT)) {
      try {
        return fromProcStat(Files.readString(STAT));
      } catch (IOException | RuntimeException e) {
        // fall through to the MXBean
      }
    }
    return mxBeanCpuNanos();
  }

  /** Where {@link #processCpuNanos()} reads from: "/proc/self/stat" or "OperatingSystemMXBean". */
  public static String source() {
    return Files.isReadable(STAT) ? "/proc/self/stat" : "OperatingSystemMXBean";
  }

  /** utime + stime (fields 14 and 15) of a /proc/[pid]/stat line, in nanoseconds. */
  static long fromProcStat(String stat) {
    // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14, 15 are 12th and 13th after ')'
    return ticks * (TimeUnit.SECONDS.toNanos(1) / TICKS_PER_SECOND);
  }

  private static long mxBeanCpuNanos() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    throw new UnsupportedOperationException("no /proc/self/stat and no com.sun.management.OperatingSystemMXBean");
  }

  /**
   * Measures this process over {@code interval}: the calling thread sleeps (it costs nothing) while
   * everything else runs as it would.
   */
  public static Sample measure(Duration interval) throws InterruptedException {
    long cpu0 = processCpuNanos();
    long t0 = System.nanoTime();
    TimeUnit.NANOSECONDS.sleep(interval.toNanos());
    long cpu1 = processCpuNanos();
    long t1 = System.nanoTime();
    return new Sample(cpu1 - cpu0, t1 - t0, source());
  }
}
