package io.epruntime.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** What every result file says about where it was measured: host and CPU model, and how busy it was. */
public final class MachineFacts {
  private MachineFacts() {}

  /** Host name and CPU model (Linux); the host name alone elsewhere. */
  public static String machine() {
    String cpu = "";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("");
    } catch (IOException | RuntimeException e) {
      // not Linux: the host name alone
    }
    try {
      return InetAddress.getLocalHost().getHostName() + (cpu.isEmpty() ? "" : " (" + cpu + ")");
    } catch (IOException e) {
      return cpu;
    }
  }

  /** /proc/loadavg now, so a reader can tell a busy machine's figures apart; "unknown" elsewhere. */
  public static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
