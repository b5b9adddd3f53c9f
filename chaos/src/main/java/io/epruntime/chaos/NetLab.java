package io.epruntime.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One network namespace per rank on a bridge this lab creates (iproute2), so that faults act on
 * real packets: random loss and partitions with iptables inside a rank's namespace (its own
 * EPCHAOS chain, hooked into INPUT and OUTPUT), a slow link with tc tbf on its interface. The host
 * side of the bridge is where clients live. Needs root; everything is removed on {@link #close}.
 */
final class NetLab implements AutoCloseable {
  private final String id;
  private final String subnet;
  private final int ranks;
  private final List<String> created = new ArrayList<>();

  NetLab(int ranks, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed ^ System.nanoTime());
    this.id = String.format("%04x", rnd.nextInt(0x10000));
    this.subnet = "10.77." + (100 + rnd.nextInt(150)) + ".";
    this.ranks = ranks;
    try {
      sh("ip", "link", "add", bridge(), "type", "bridge");
      created.add("bridge");
      sh("ip", "addr", "add", hostIp() + "/24", "dev", bridge());
      sh("ip", "link", "set", bridge(), "up");
      for (int r = 0; r < ranks; r++) {
        sh("ip", "netns", "add", ns(r));
        created.add(ns(r));
        sh("ip", "link", "add", "ec" + id + "h" + r, "type", "veth", "peer", "name", dev(r));
        sh("ip", "link", "set", dev(r), "netns", ns(r));
        sh("ip", "link", "set", "ec" + id + "h" + r, "master", bridge(), "up");
        inNs(r, "ip", "addr", "add", ip(r) + "/24", "dev", dev(r));
        inNs(r, "ip", "link", "set", dev(r), "up");
        inNs(r, "ip", "link", "set", "lo", "up");
        inNs(r, "iptables", "-N", "EPCHAOS");
        inNs(r, "iptables", "-I", "INPUT", "-j", "EPCHAOS");
        inNs(r, "iptables", "-I", "OUTPUT", "-j", "EPCHAOS");
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Whether this machine lets us build the lab (root, iproute2, iptables, tc). */
  static String unavailable() {
    for (String tool : List.of("ip", "iptables", "tc")) {
      try {
        Process p = new ProcessBuilder(tool, "-V").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (IOException | InterruptedException e) {
        return tool + " is missing (apt-get install iproute2 iptables)";
      }
    }
    return "root".equals(System.getProperty("user.name")) ? null : "network namespaces need root";
  }

  String hostIp() {
    return subnet + "1";
  }

  String ip(int rank) {
    return subnet + (10 + rank);
  }

  String ns(int rank) {
    return "ec" + id + "r" + rank;
  }

  private String bridge() {
    return "ec" + id + "b";
  }

  private String dev(int rank) {
    return "ec" + id + "n" + rank;
  }

  /** {@code cmd} run inside rank {@code rank}'s namespace. */
  List<String> command(int rank, List<String> cmd) {
    List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", ns(rank)));
    out.addAll(cmd);
    return out;
  }

  /** Drops a share {@code p} of the rank's packets, both ways. */
  void loss(int rank, double p) {
    inNs(rank, "iptables", "-A", "EPCHAOS", "-m", "statistic", "--mode", "random", "--probability", Double.toString(p), "-j", "DROP");
  }

  /** Cuts the rank off from every other rank (clients still reach it); one-way: only what comes in. */
  void partition(int rank, boolean oneWay) {
    for (int other = 0; other < ranks; other++) {
      if (other != rank) {
        inNs(rank, "iptables", "-A", "EPCHAOS", "-s", ip(other), "-j", "DROP");
        if (!oneWay) {
          inNs(rank, "iptables", "-A", "EPCHAOS", "-d", ip(other), "-j", "DROP");
        }
      }
    }
  }

  /** A congested link: the rank's interface limited to 2 Mbit/s. */
  void slow(int rank) {
    inNs(rank, "tc", "qdisc", "add", "dev", dev(rank), "root", "tbf", "rate", "2mbit", "burst", "32kbit", "latency", "400ms");
  }

  /** Removes every fault of the rank's network. */
  void heal(int rank) {
    inNs(rank, "iptables", "-F", "EPCHAOS");
    try {
      inNs(rank, "tc", "qdisc", "del", "dev", dev(rank), "root");
    } catch (IllegalStateException none) {
      // no qdisc was set: nothing to remove
    }
  }

  private void inNs(int rank, String... cmd) {
    sh(command(rank, List.of(cmd)).toArray(String[]::new));
  }

  private static void sh(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.strip());
      }
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", cmd) + " could not run: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
    }
  }

  @Override
  public void close() {
    for (int r = ranks - 1; r >= 0; r--) {
      if (created.contains(ns(r))) {
        quiet("ip", "netns", "del", ns(r));
        quiet("ip", "link", "del", "ec" + id + "h" + r);
      }
    }
    if (created.contains("bridge")) {
      quiet("ip", "link", "del", bridge());
    }
    created.clear();
  }

  private static void quiet(String... cmd) {
    try {
      sh(cmd);
    } catch (IllegalStateException ignored) {
      // already gone
    }
  }
}
