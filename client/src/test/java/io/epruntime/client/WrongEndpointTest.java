package io.epruntime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link EpClient#connect} against endpoints that are not an ep gateway fails within its
 * {@code connectTimeout}, naming the endpoint and what was found there; a host name the node does
 * not call itself still reaches it.
 */
class WrongEndpointTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(4);
  /** Connect's own deadline plus start-up and close of the client on a loaded machine. */
  private static final Duration WITHIN = TIMEOUT.plusSeconds(20);

  private static GatewayUnreachableException unreachable(String endpoint) {
    long start = System.nanoTime();
    GatewayUnreachableException e = assertThrows(GatewayUnreachableException.class,
        () -> EpClient.connect(ClientSettings.of(List.of(endpoint)).withConnectTimeout(TIMEOUT)));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(took.compareTo(WITHIN) < 0, "connect took " + took);
    assertEquals(List.of(endpoint), e.endpoints());
    assertTrue(e.getMessage().contains(endpoint), e.getMessage());
    return e;
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aClosedPortIsNamedAsRefused() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    GatewayUnreachableException e = unreachable("127.0.0.1:" + port);
    assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void anHttpPortSuchAsANodesManagementPortIsNamedAsOne() throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // Concurrent, as a node's management server is: the client's remoting holds a connection open.
    http.setExecutor(Executors.newCachedThreadPool());
    http.createContext("/alive", x -> {
      x.sendResponseHeaders(200, -1);
      x.close();
    });
    http.start();
    try {
      GatewayUnreachableException e = unreachable("127.0.0.1:" + http.getAddress().getPort());
      assertTrue(e.getMessage().contains("an HTTP server answered") && e.getMessage().contains("management port"), e.getMessage());
    } finally {
      http.stop(0);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aSilentListenerIsNamedAsNotPekko() throws IOException {
    List<Socket> held = new ArrayList<>();
    try (ServerSocket server = new ServerSocket(0)) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            held.add(server.accept()); // accepts, never reads nor answers
          }
        } catch (IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      GatewayUnreachableException e = unreachable("127.0.0.1:" + server.getLocalPort());
      assertTrue(e.getMessage().contains("sent nothing back"), e.getMessage());
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void anUnknownHostIsNamed() {
    GatewayUnreachableException e = unreachable("no-such-host.invalid:17355");
    assertTrue(e.getMessage().contains("unknown host no-such-host.invalid"), e.getMessage());
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aNodeGivenByAnotherNameOfItsHostIsReached() {
    try (FakeNode node = FakeNode.start("127.0.0.1");
         EpClient client = EpClient.connect(ClientSettings.of(List.of(node.endpoint("localhost"))).withConnectTimeout(Duration.ofSeconds(20)))) {
      assertEquals(FakeNode.WORLD, client.world().config());
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aNodeThatCallsItselfByANameTheClientDoesNotUseIsExplained() {
    try (FakeNode node = FakeNode.start("localhost")) {
      GatewayUnreachableException e = unreachable(node.endpoint("127.0.0.1"));
      assertTrue(e.getMessage().contains("another host name"), e.getMessage());
    }
  }
}
