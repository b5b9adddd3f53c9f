package io.epruntime.cli.run;

import java.util.Locale;

/** Number formats shared by the progress line and the summary, fixed to the root locale. */
final class Units {
  private Units() {}

  /** A latency with a unit a person reads at a glance: 850 us, 1.25 ms, 2.40 s. */
  static String latency(long nanos) {
    if (nanos < 1_000_000) {
      return String.format(Locale.ROOT, "%d us", nanos / 1_000);
    }
    if (nanos < 1_000_000_000) {
      return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }

  /** A rate in bytes per second with a readable unit: 512 KB/s, 3.20 MB/s, 12.5 GB/s. */
  static String bandwidth(double bytesPerSecond) {
    if (bytesPerSecond >= 1e9) {
      return String.format(Locale.ROOT, "%.2f GB/s", bytesPerSecond / 1e9);
    }
    if (bytesPerSecond >= 1e6) {
      return String.format(Locale.ROOT, "%.2f MB/s", bytesPerSecond / 1e6);
    }
    return String.format(Locale.ROOT, "%.1f KB/s", bytesPerSecond / 1e3);
  }

  static String decimal(double value, int digits) {
    return String.format(Locale.ROOT, "%." + digits + "f", value);
  }
}
