package io.epruntime.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two processes, each with its own media driver: a multi-MB frame goes there and back over UDP. */
@Timeout(120)
class CrossProcessTest {

  @Test
  void framesCrossProcessesBothWays() throws Exception {
    BlockingQueue<ByteBuffer> pongs = new LinkedBlockingQueue<>();
    try (AeronNode node = AeronNode.start(TransportSettings.defaults());
        AutoCloseable l = node.listen(Streams.PONG, pongs::add)) {
      String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
      Process child = new ProcessBuilder(List.of(java, "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
          "-cp", System.getProperty("java.class.path"), EchoNodeMain.class.getName(), node.endpoint()))
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> endpoint = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
          // Reads to the end, so the child's log lines never fill the pipe and block it.
          try {
            for (String s = out.readLine(); s != null; s = out.readLine()) {
              if (s.startsWith("endpoint=")) {
                endpoint.complete(s.substring("endpoint=".length()));
              }
            }
          } catch (java.io.IOException e) {
            endpoint.completeExceptionally(e);
          }
          endpoint.complete(null);
        }, "child-stdout");
        reader.setDaemon(true);
        reader.start();
        String line = endpoint.get(60, TimeUnit.SECONDS);
        assertNotNull(line, "child did not print its endpoint");
        assertTrue(child.pid() != ProcessHandle.current().pid());

        byte[] frame = new byte[3 * 1024 * 1024 + 17];
        new Random(5).nextBytes(frame);
        node.send(line, Streams.PING, frame).toCompletableFuture().get(60, TimeUnit.SECONDS);
        ByteBuffer back = pongs.poll(60, TimeUnit.SECONDS);
        assertNotNull(back, "no echo from the child process");
        byte[] got = new byte[back.remaining()];
        back.get(got);
        assertArrayEquals(frame, got);
      } finally {
        child.getOutputStream().close(); // the child exits when its stdin closes
        if (!child.waitFor(30, TimeUnit.SECONDS)) {
          child.destroyForcibly();
        }
      }
    }
  }
}
