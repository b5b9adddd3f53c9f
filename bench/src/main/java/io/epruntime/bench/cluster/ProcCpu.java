package io.epruntime.bench.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of another process from {@code /proc/<pid>/stat} (utime + stime, fields 14 and 15, in
 * clock ticks of {@link #TICKS_PER_SECOND}, the value of {@code getconf CLK_TCK} on Linux).
 */
final class ProcCpu {
  static final int TICKS_PER_SECOND = 100;

  private ProcCpu() {}

  static long cpuNanos(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // The command name (field 2) may hold spaces; fields after it start past the last ')'.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14, 15 overall
    return ticks * (1_000_000_000L / TICKS_PER_SECOND);
  }
}
