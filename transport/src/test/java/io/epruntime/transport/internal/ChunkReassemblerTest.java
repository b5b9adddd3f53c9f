package io.epruntime.transport.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Chunks fed as Aeron would hand them over: a data frame header (session id) and the chunk. */
class ChunkReassemblerTest {
  private final List<byte[]> delivered = new ArrayList<>();
  private final ChunkReassembler reassembler = new ChunkReassembler(7, 1000, f -> {
    byte[] b = new byte[f.remaining()];
    f.get(b);
    delivered.add(b);
  });

  private void feed(int session, long id, int index, int count, int total, byte[] body) {
    feedRaw(session, chunk(id, index, count, total, body));
  }

  private void feedRaw(int session, byte[] chunk) {
    UnsafeBuffer buf = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH + chunk.length]);
    buf.putInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, session, ByteOrder.LITTLE_ENDIAN);
    buf.putBytes(DataHeaderFlyweight.HEADER_LENGTH, chunk);
    Header header = new Header(0, 16).buffer(buf).offset(0);
    reassembler.onFragment(buf, DataHeaderFlyweight.HEADER_LENGTH, chunk.length, header);
  }

  private static byte[] chunk(long id, int index, int count, int total, byte[] body) {
    return ByteBuffer.allocate(ChunkHeader.BYTES + body.length).order(ByteOrder.LITTLE_ENDIAN)
        .putInt(ChunkHeader.MAGIC).putLong(id).putInt(index).putInt(count).putInt(total).put(body).array();
  }

  @Test
  void interleavedSessionsReassembleSeparately() {
    feed(1, 10, 0, 2, 4, new byte[] {1, 2});
    feed(2, 20, 0, 2, 3, new byte[] {9});
    feed(1, 10, 1, 2, 4, new byte[] {3, 4});
    feed(2, 20, 1, 2, 3, new byte[] {8, 7});
    assertEquals(2, delivered.size());
    assertArrayEquals(new byte[] {1, 2, 3, 4}, delivered.get(0));
    assertArrayEquals(new byte[] {9, 8, 7}, delivered.get(1));
    assertEquals(0, reassembler.droppedCount());
  }

  @Test
  void badChunksAreDroppedAndTheNextMessageStillArrives() {
    feedRaw(1, new byte[] {1, 2, 3}); // shorter than a chunk header
    feedRaw(1, new byte[30]); // no magic
    feed(1, 10, 1, 2, 4, new byte[] {3, 4}); // chunk 1 without chunk 0
    feed(1, 11, 0, 1, 5000, new byte[] {1}); // over the 1000-byte limit
    feed(1, 12, 3, 2, 4, new byte[] {1}); // index beyond count
    feed(1, 13, 0, 1, 2, new byte[] {1, 2, 3}); // longer than declared
    feed(1, 14, 0, 1, 3, new byte[] {1}); // shorter than declared
    feed(1, 15, 0, 2, 4, new byte[] {1, 2});
    feed(1, 16, 0, 1, 1, new byte[] {5}); // abandons 15, delivers 16
    assertEquals(7, reassembler.droppedCount());
    assertEquals(1, delivered.size());
    assertArrayEquals(new byte[] {5}, delivered.get(0));
  }

  @Test
  void aGoneSessionForgetsItsPartialMessage() {
    feed(3, 30, 0, 2, 2, new byte[] {1});
    reassembler.sessionGone(3);
    feed(3, 30, 1, 2, 2, new byte[] {2});
    assertEquals(0, delivered.size());
    assertEquals(1, reassembler.droppedCount());
  }
}
