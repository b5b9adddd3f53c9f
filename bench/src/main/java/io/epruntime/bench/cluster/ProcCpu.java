package io.epruntime.bench.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of another process from {@code /proc/<pid>/stat} (utime + stime, fields 14 and 15, in
 * clock ticks of {@link #TICKS_PER_SECOND}, the value of {@code getconf CLK_TCK} on Linux), and the
 * same per thread with its context switches, which tell how often each thread woke.
 */
final class ProcCpu {
  static final int TICKS_PER_SECOND = 100;

  private ProcCpu() {}

  /** One thread at one moment: its name (comm, at most 15 characters), CPU time and context switches. */
  record ThreadSample(String name, long cpuNanos, long contextSwitches) {}

  static long cpuNanos(long pid) throws IOException {
    return cpuNanos(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
  }

  private static long cpuNanos(String stat) {
    // The command name (field 2) may hold spaces; fields after it start past the last ')'.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14, 15 overall
    return ticks * (1_000_000_000L / TICKS_PER_SECOND);
  }

  /** Every live thread of {@code pid} by thread id; threads that end while being read are skipped. */
  static Map<Long, ThreadSample> threads(long pid) throws IOException {
    Map<Long, ThreadSample> out = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          long switches = 0;
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
              switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
          out.put(Long.parseLong(task.getFileName().toString()), new ThreadSample(name, cpuNanos(stat), switches));
        } catch (IOException | RuntimeException e) {
          // the thread ended between the listing and the read
        }
      }
    }
    return out;
  }
}
