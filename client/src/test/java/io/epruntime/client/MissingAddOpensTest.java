package io.epruntime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A JVM started without the option the media driver needs gets an {@link EpClientException} naming it. */
class MissingAddOpensTest {

  /** Connects from a JVM without {@code --add-opens}; prints what connect threw. */
  public static void main(String[] args) {
    try {
      EpClient.connect(ClientSettings.of(List.of("127.0.0.1:1")).withConnectTimeout(Duration.ofSeconds(2))).close();
      System.out.println("connected");
    } catch (Throwable t) {
      System.out.println(t.getClass().getName() + ": " + t.getMessage());
    }
    System.exit(0);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void connectNamesTheMissingJvmOption() throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), MissingAddOpensTest.class.getName())
        .redirectErrorStream(true).start();
    assertTrue(p.waitFor(50, TimeUnit.SECONDS));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains(EpClientException.class.getName() + ": the client's embedded Aeron media driver needs the JVM option "
        + "--add-opens java.base/sun.nio.ch=ALL-UNNAMED"), out);
  }
}
