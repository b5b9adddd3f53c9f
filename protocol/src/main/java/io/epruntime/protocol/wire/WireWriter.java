package io.epruntime.protocol.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds one little-endian frame in a growing heap buffer, header first. */
public final class WireWriter {
  private ByteBuffer buf;

  private WireWriter(int capacity) {
    buf = ByteBuffer.allocate(Math.max(64, capacity)).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A writer with the frame header of {@code type} already written; {@code sizeHint} avoids regrowth. */
  public static WireWriter frame(WireType type, int sizeHint) {
    WireWriter w = new WireWriter(sizeHint + WireType.HEADER_BYTES);
    w.putInt(WireType.MAGIC).putByte(WireType.VERSION).putByte(type.code());
    return w;
  }

  private void ensure(int more) {
    if (buf.remaining() < more) {
      long need = (long) buf.position() + more;
      if (need > Integer.MAX_VALUE - 8) {
        throw new WireFormatException("frame", "a frame of " + need + " bytes exceeds the 2 GiB limit");
      }
      int cap = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(need, 2L * buf.capacity()));
      ByteBuffer bigger = ByteBuffer.allocate(cap).order(ByteOrder.LITTLE_ENDIAN);
      buf.flip();
      bigger.put(buf);
      buf = bigger;
    }
  }

  public WireWriter putByte(int v) {
    ensure(1);
    buf.put((byte) v);
    return this;
  }

  public WireWriter putInt(int v) {
    ensure(4);
    buf.putInt(v);
    return this;
  }

  public WireWriter putLong(long v) {
    ensure(8);
    buf.putLong(v);
    return this;
  }

  /** Length-prefixed UTF-8; {@code null} is written as length -1. */
  public WireWriter putString(String s) {
    if (s == null) {
      return putInt(-1);
    }
    return putBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  public WireWriter putStrings(List<String> list) {
    putInt(list.size());
    for (String s : list) {
      putString(s);
    }
    return this;
  }

  /** Length-prefixed bytes. */
  public WireWriter putBytes(byte[] b) {
    putInt(b.length);
    ensure(b.length);
    buf.put(b);
    return this;
  }

  /** The remaining bytes of {@code src} without a length prefix (the caller wrote the shape). */
  public WireWriter putRaw(ByteBuffer src) {
    ensure(src.remaining());
    buf.put(src.duplicate());
    return this;
  }

  public int position() {
    return buf.position();
  }

  /** The frame as a read-only view, position 0; the writer must not be used afterwards. */
  public ByteBuffer toBuffer() {
    ByteBuffer out = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    out.flip();
    return out;
  }

  /** A copy of the frame bytes. */
  public byte[] toBytes() {
    ByteBuffer b = toBuffer();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
