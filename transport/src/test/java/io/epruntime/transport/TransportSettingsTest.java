package io.epruntime.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.epruntime.protocol.EpArgumentException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TransportSettingsTest {
  private static TransportSettings parse(String hocon) {
    return TransportSettings.fromConfig(ConfigFactory.parseString(hocon));
  }

  @Test
  void defaultsComeFromReferenceConf() {
    TransportSettings s = TransportSettings.defaults();
    assertEquals("127.0.0.1", s.bindHost());
    assertEquals(0, s.port());
    assertEquals(4 * 1024 * 1024, s.termLength());
    assertEquals(Duration.ofMillis(500), s.bootstrapResendInterval());
    assertEquals("127.0.0.1", s.hostForPeers());
    assertEquals(Duration.ofNanos(200_000), s.spinWindow());
  }

  @Test
  void overridesAreRead() {
    TransportSettings s = parse("ep.transport { bind-host = \"0.0.0.0\", advertised-host = \"node-1\", port = 40123, term-length = 1m, chunk-size = 64k }");
    assertEquals("node-1:40123", s.hostForPeers() + ":" + s.port());
    assertEquals(1 << 20, s.termLength());
    assertEquals(64 * 1024, s.chunkSize());
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    assertEquals("ep.transport.term-length", assertThrows(EpArgumentException.class, () -> parse("ep.transport.term-length = 3m")).argument());
    assertEquals("ep.transport.port", assertThrows(EpArgumentException.class, () -> parse("ep.transport.port = 70000")).argument());
    assertEquals("ep.transport.chunk-size", assertThrows(EpArgumentException.class, () -> parse("ep.transport.chunk-size = 1m")).argument());
    assertEquals("ep.transport.advertised-host", assertThrows(EpArgumentException.class, () -> parse("ep.transport.bind-host = \"0.0.0.0\"")).argument());
    assertEquals("ep.transport.spin-window", assertThrows(EpArgumentException.class, () -> parse("ep.transport.spin-window = -1us")).argument());
    assertEquals("ep.transport.spin-window", assertThrows(EpArgumentException.class, () -> parse("ep.transport.spin-window = 2s")).argument());
    assertEquals(Duration.ZERO, parse("ep.transport.spin-window = 0").spinWindow());
    // Removed settings are refused by name rather than ignored.
    assertEquals("ep.transport.timer-slack", assertThrows(EpArgumentException.class, () -> parse("ep.transport.timer-slack = 0")).argument());
    EpArgumentException wait = assertThrows(EpArgumentException.class, () -> parse("ep.transport.idle-wait = socket"));
    assertEquals("ep.transport.idle-wait", wait.argument());
    assertTrue(wait.getMessage().contains("no longer read"), wait.getMessage());
    EpArgumentException wrongType = assertThrows(EpArgumentException.class, () -> parse("ep.transport.send-timeout = soon"));
    assertTrue(wrongType.getMessage().contains("send-timeout"), wrongType.getMessage());
  }
}
