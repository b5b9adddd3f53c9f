package io.epruntime.transport;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A child process for {@link CrossProcessTest}: starts a node, prints its endpoint, echoes every
 * PING frame to the PONG stream of the endpoint given as the first argument, and exits when its
 * standard input closes.
 */
public final class EchoNodeMain {
  private EchoNodeMain() {}

  public static void main(String[] args) throws Exception {
    String replyTo = args[0];
    try (AeronNode node = AeronNode.start(TransportSettings.defaults());
        AutoCloseable echo = node.listen(Streams.PING, frame -> {
          byte[] bytes = new byte[frame.remaining()];
          frame.get(bytes);
          node.send(replyTo, Streams.PONG, bytes);
        })) {
      System.out.println("endpoint=" + node.endpoint());
      System.out.flush();
      // Blocks until the parent closes our stdin (or dies).
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
  }
}
