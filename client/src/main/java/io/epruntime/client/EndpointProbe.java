package io.epruntime.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Finds out, with a plain socket, what is at a {@code host:port} that did not answer as an ep
 * gateway, so the error can say why: an unknown host, nothing listening, an HTTP server (a node's
 * management port), a silent or foreign service, or a Pekko node that answers to another name.
 * Only used once a connect is about to fail: it sends a few bytes of HTTP, which a Pekko node
 * rejects with one log line.
 */
final class EndpointProbe {
  private static final byte[] HTTP_REQUEST = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private EndpointProbe() {}

  /** One sentence on what {@code hostPort} is, taking at most about {@code budget}. */
  static String describe(String hostPort, Duration budget) {
    int colon = hostPort.lastIndexOf(':');
    String host = hostPort.substring(0, colon);
    int port = Integer.parseInt(hostPort.substring(colon + 1));
    int halfMillis = (int) Math.max(50, budget.toMillis() / 2);
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      return "unknown host " + host + " (no address found for it)";
    }
    try (Socket s = new Socket()) {
      s.connect(address, halfMillis);
      s.setSoTimeout(halfMillis);
      s.getOutputStream().write(HTTP_REQUEST);
      s.getOutputStream().flush();
      return describeAnswer(host, readSome(s.getInputStream()));
    } catch (ConnectException e) {
      return "nothing listens there (connection refused): is the node up, and is " + port + " its Pekko remoting port?";
    } catch (SocketTimeoutException e) {
      return "no TCP answer within " + halfMillis + " ms (the host is down, or a firewall drops the connection)";
    } catch (UnknownHostException e) {
      return "unknown host " + host;
    } catch (IOException e) {
      return "the TCP connection failed: " + e;
    }
  }

  private static String describeAnswer(String host, String answer) {
    if (answer == null) {
      return "it accepted a TCP connection but sent nothing back to an HTTP request: not a node's Pekko remoting (which closes the "
          + "connection on foreign bytes)";
    }
    if (answer.isEmpty()) {
      return "it accepted the TCP connection and closed it on foreign bytes, as a node's Pekko remoting does; if it is one, its "
          + "gateway did not answer: it may advertise another host name than " + host + " (Pekko drops messages addressed to any "
          + "name but its ep.node.host, e.g. localhost for 127.0.0.1: give the gateway as the node names itself), it may not be "
          + "an ep node (the actor system must be 'ep'), or it is still starting";
    }
    String firstLine = answer.lines().findFirst().orElse("").strip();
    if (answer.startsWith("HTTP/")) {
      return "an HTTP server answered (" + firstLine + "): a web or management port (a node serves /alive, /ready and /metrics on "
          + "its management port, 7626 by default), not a node's Pekko remoting port (pekko.remote.artery.canonical.port, 17355 "
          + "by default)";
    }
    return "a service that is not a Pekko node answered (" + printable(firstLine) + ")";
  }

  /** Up to 64 bytes of the answer; "" when the peer closed at once, null when it said nothing in time. */
  private static String readSome(InputStream in) throws IOException {
    byte[] buf = new byte[64];
    int n;
    try {
      n = in.read(buf);
    } catch (SocketTimeoutException e) {
      return null;
    } catch (IOException e) {
      return ""; // reset by the peer: it refused the bytes
    }
    return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.length() > 40 ? b.substring(0, 40) + "..." : b.toString();
  }
}
