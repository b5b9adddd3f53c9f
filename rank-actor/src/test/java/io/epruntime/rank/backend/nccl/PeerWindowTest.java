package io.epruntime.rank.backend.nccl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.protocol.EpArgumentException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The peer window's bytes: round trip, the same-host and same-process decisions, and malformed input named by field. */
class PeerWindowTest {
  private static PeerWindow window(int rank, String host, long pid, byte[] handle) {
    return new PeerWindow(7, rank, host, pid, "0000:19:00.0", handle, 0x7f0000000000L + 256L * rank, 1L << 30);
  }

  @Test
  void roundTripsWithAndWithoutAnIpcHandle() {
    byte[] handle = new byte[64];
    Arrays.fill(handle, (byte) 5);
    for (PeerWindow w : List.of(window(1, "host-a/boot-1", 4242, handle), window(0, "hôst/ü", 1, new byte[0]))) {
      PeerWindow back = PeerWindow.decode(w.encode());
      assertEquals(w, back);
      assertArrayEquals(w.ipcHandle(), back.ipcHandle());
    }
  }

  @Test
  void hostAndProcessDecideHowAPeerIsMapped() {
    PeerWindow a = window(0, "h/1", 10, new byte[64]);
    PeerWindow b = window(1, "h/1", 11, new byte[64]);
    PeerWindow c = window(2, "other/1", 10, new byte[64]);
    assertTrue(a.sameHostAs(List.of(a, b)));
    assertFalse(a.sameHostAs(List.of(a, b, c)));
    assertFalse(a.sameHostAs(Arrays.asList(a, null)), "a rank without a window is not on this host");
    assertTrue(a.sameProcessAs(window(3, "h/1", 10, new byte[0])));
    assertFalse(a.sameProcessAs(b));
    assertFalse(a.sameProcessAs(c), "the same pid on another host is another process");
  }

  @Test
  void malformedBytesAreRefusedNamingTheField() {
    byte[] good = window(1, "h/1", 3, new byte[64]).encode();
    assertEquals("window", assertThrows(EpArgumentException.class, () -> PeerWindow.decode(new byte[2])).argument());
    // Cut short inside the last field: that field is named.
    assertEquals("window.busId", assertThrows(EpArgumentException.class, () -> PeerWindow.decode(Arrays.copyOf(good, good.length - 3))).argument());
    assertEquals("window", assertThrows(EpArgumentException.class, () -> PeerWindow.decode(Arrays.copyOf(good, 30))).argument());
    byte[] magic = good.clone();
    magic[0] ^= 1;
    assertEquals("window", assertThrows(EpArgumentException.class, () -> PeerWindow.decode(magic)).argument());
    byte[] handleLength = good.clone();
    handleLength[4 + 8 + 4 + 8 + 8 + 8] = 63; // the handle's length
    assertEquals("window.ipcHandle", assertThrows(EpArgumentException.class, () -> PeerWindow.decode(handleLength)).argument());
    assertEquals("window.base", assertThrows(EpArgumentException.class,
        () -> new PeerWindow(1, 0, "h", 1, "b", new byte[0], 100, 1)).argument());
  }
}
