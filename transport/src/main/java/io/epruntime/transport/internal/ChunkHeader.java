package io.epruntime.transport.internal;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The 24 bytes in front of every chunk: {@code magic "EPC1" | messageId (long) | index | count |
 * totalLength}, little-endian. A frame of n bytes travels as ceil(n / chunkSize) chunks (at least one).
 */
public final class ChunkHeader {
  public static final int BYTES = 24;
  /** "EPC1" as a little-endian int. */
  public static final int MAGIC = 0x31435045;

  private ChunkHeader() {}

  static void write(MutableDirectBuffer b, long messageId, int index, int count, int totalLength) {
    b.putInt(0, MAGIC, ByteOrder.LITTLE_ENDIAN);
    b.putLong(4, messageId, ByteOrder.LITTLE_ENDIAN);
    b.putInt(12, index, ByteOrder.LITTLE_ENDIAN);
    b.putInt(16, count, ByteOrder.LITTLE_ENDIAN);
    b.putInt(20, totalLength, ByteOrder.LITTLE_ENDIAN);
  }

  static int magic(DirectBuffer b, int offset) {
    return b.getInt(offset, ByteOrder.LITTLE_ENDIAN);
  }

  static long messageId(DirectBuffer b, int offset) {
    return b.getLong(offset + 4, ByteOrder.LITTLE_ENDIAN);
  }

  static int index(DirectBuffer b, int offset) {
    return b.getInt(offset + 12, ByteOrder.LITTLE_ENDIAN);
  }

  static int count(DirectBuffer b, int offset) {
    return b.getInt(offset + 16, ByteOrder.LITTLE_ENDIAN);
  }

  static int totalLength(DirectBuffer b, int offset) {
    return b.getInt(offset + 20, ByteOrder.LITTLE_ENDIAN);
  }
}
