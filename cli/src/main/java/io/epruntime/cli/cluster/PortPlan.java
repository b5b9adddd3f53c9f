package io.epruntime.cli.cluster;

import io.epruntime.cli.CliException;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * The ports of a local cluster, per rank: Pekko remoting (TCP), Pekko management HTTP (TCP) and the
 * Aeron media driver's UDP endpoint. Either picked free by the OS, or laid out from
 * {@code --base-port B}: remoting {@code B+i}, management {@code B+N+i}, Aeron {@code B+2N+i};
 * then every port is checked up front so a clash is one clear error, not a rank dying later.
 */
public record PortPlan(List<NodePorts> nodes) {

  /** One rank's ports; {@code aeron = 0} lets the transport pick a free UDP port itself. */
  public record NodePorts(int rank, int remoting, int management, int aeron) {}

  /** Free ports from the OS, distinct across ranks (all sockets are held until every port is known). */
  public static PortPlan free(int ranks, String host) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      InetAddress addr = InetAddress.getByName(host);
      List<NodePorts> nodes = new ArrayList<>();
      for (int i = 0; i < ranks; i++) {
        ServerSocket remoting = hold(held, addr);
        ServerSocket management = hold(held, addr);
        nodes.add(new NodePorts(i, remoting.getLocalPort(), management.getLocalPort(), 0));
      }
      return new PortPlan(List.copyOf(nodes));
    } catch (IOException e) {
      throw CliException.environment("cannot open a local TCP port on --host " + host + ": " + e.getMessage());
    } finally {
      for (ServerSocket s : held) {
        closeQuietly(s);
      }
    }
  }

  /** The fixed layout from {@code base}, each port checked; fails with the first port in use. */
  public static PortPlan fromBase(int ranks, String host, int base) {
    if (base < 1 || base + 3 * ranks - 1 > 65_535) {
      throw CliException.usage("--base-port = " + base + " is not allowed: 0 (pick free ports) or 1.." + (65_535 - 3 * ranks + 1) + " for " + ranks + " ranks");
    }
    List<NodePorts> nodes = new ArrayList<>();
    for (int i = 0; i < ranks; i++) {
      NodePorts p = new NodePorts(i, base + i, base + ranks + i, base + 2 * ranks + i);
      requireFreeTcp(host, p.remoting(), "rank " + i + " Pekko remoting");
      requireFreeTcp(host, p.management(), "rank " + i + " Pekko management HTTP");
      requireFreeUdp(host, p.aeron(), "rank " + i + " Aeron UDP");
      nodes.add(p);
    }
    return new PortPlan(List.copyOf(nodes));
  }

  /** {@code host:port} of every rank's remoting endpoint: the gateways a client may use. */
  public List<String> gateways(String host) {
    List<String> out = new ArrayList<>();
    for (NodePorts p : nodes) {
      out.add(host + ":" + p.remoting());
    }
    return out;
  }

  private static ServerSocket hold(List<ServerSocket> held, InetAddress addr) throws IOException {
    ServerSocket s = new ServerSocket();
    held.add(s);
    s.bind(new InetSocketAddress(addr, 0));
    return s;
  }

  static void requireFreeTcp(String host, int port, String purpose) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
    } catch (IOException e) {
      throw inUse("TCP", host, port, purpose, e);
    }
  }

  static void requireFreeUdp(String host, int port, String purpose) {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), port))) {
      s.getLocalPort();
    } catch (IOException e) {
      throw inUse("UDP", host, port, purpose, e);
    }
  }

  private static CliException inUse(String proto, String host, int port, String purpose, IOException e) {
    return CliException.environment(
        proto + " port " + host + ":" + port + " (" + purpose + ") is in use or cannot be bound (" + e.getMessage()
            + "); choose another --base-port, or --base-port 0 to pick free ports");
  }

  private static void closeQuietly(ServerSocket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // Only probing; the port is released either way.
    }
  }
}
