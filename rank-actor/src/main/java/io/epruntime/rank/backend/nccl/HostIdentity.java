package io.epruntime.rank.backend.nccl;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Names this host for the peer-window decision: the host name and the kernel's boot id. Processes
 * that agree on both can map each other's GPU memory through CUDA IPC; two containers on one
 * machine have different host names, and CUDA IPC does not cross their IPC namespaces either.
 */
final class HostIdentity {
  private static final String CURRENT = compute();

  private HostIdentity() {}

  static String current() {
    return CURRENT;
  }

  private static String compute() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = System.getenv().getOrDefault("HOSTNAME", "unknown-host");
    }
    String boot;
    try {
      boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
    } catch (IOException | RuntimeException e) {
      boot = "no-boot-id";
    }
    return host + "/" + boot;
  }
}
