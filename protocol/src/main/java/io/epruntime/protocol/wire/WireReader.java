package io.epruntime.protocol.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one frame with a bounds check on every field: a length that runs past the end, a count
 * outside its limits or bytes left over fail with a {@link WireFormatException} naming the field.
 */
public final class WireReader {
  private final ByteBuffer buf;

  private WireReader(ByteBuffer buf) {
    this.buf = buf;
  }

  /** Opens {@code frame} (from its position) and checks magic, version and that its type is {@code expected}. */
  public static WireReader open(ByteBuffer frame, WireType expected) {
    WireReader r = new WireReader(frame.slice().order(ByteOrder.LITTLE_ENDIAN));
    WireType actual = r.header();
    if (actual != expected) {
      throw new WireFormatException("type", "expected a " + expected + " frame, got " + actual);
    }
    return r;
  }

  /** The type of {@code frame} after checking magic and version; the buffer's position is kept. */
  public static WireType peekType(ByteBuffer frame) {
    return new WireReader(frame.slice().order(ByteOrder.LITTLE_ENDIAN)).header();
  }

  private WireType header() {
    if (buf.remaining() < WireType.HEADER_BYTES) {
      throw new WireFormatException("header", "frame of " + buf.remaining() + " bytes is shorter than the 6-byte header");
    }
    int magic = buf.getInt();
    if (magic != WireType.MAGIC) {
      throw new WireFormatException("magic", String.format("frame magic 0x%08x is not EPW1 (0x%08x)", magic, WireType.MAGIC));
    }
    byte version = buf.get();
    if (version != WireType.VERSION) {
      throw new WireFormatException("version", "frame version " + version + " is not supported; supported: " + WireType.VERSION);
    }
    return WireType.of(buf.get());
  }

  private void need(String field, long bytes) {
    if (bytes < 0 || bytes > buf.remaining()) {
      throw new WireFormatException(field, field + " needs " + bytes + " bytes but only " + buf.remaining() + " remain in the frame");
    }
  }

  public byte readByte(String field) {
    need(field, 1);
    return buf.get();
  }

  public int readInt(String field) {
    need(field, 4);
    return buf.getInt();
  }

  public long readLong(String field) {
    need(field, 8);
    return buf.getLong();
  }

  /** An int that must lie in {@code [min, max]}. */
  public int readInt(String field, int min, int max) {
    int v = readInt(field);
    if (v < min || v > max) {
      throw new WireFormatException(field, field + " = " + v + " is outside [" + min + ", " + max + "]");
    }
    return v;
  }

  /** A length-prefixed UTF-8 string of at most {@code maxBytes}; null only when {@code nullable}. */
  public String readString(String field, int maxBytes, boolean nullable) {
    int len = readInt(field + ".length");
    if (len == -1 && nullable) {
      return null;
    }
    if (len < 0 || len > maxBytes) {
      throw new WireFormatException(field, field + " length " + len + " is outside [0, " + maxBytes + "]");
    }
    need(field, len);
    ByteBuffer bytes = buf.slice().limit(len);
    buf.position(buf.position() + len);
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new WireFormatException(field, field + " is not valid UTF-8");
    }
  }

  public List<String> readStrings(String field, int maxCount, int maxBytesEach) {
    int n = readInt(field + ".count", 0, maxCount);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(readString(field + "[" + i + "]", maxBytesEach, false));
    }
    return List.copyOf(out);
  }

  /** Length-prefixed bytes, at most {@code maxLength}. */
  public byte[] readBytes(String field, int maxLength) {
    int len = readInt(field + ".length", 0, maxLength);
    need(field, len);
    byte[] out = new byte[len];
    buf.get(out);
    return out;
  }

  /** The next {@code length} bytes as a little-endian view sharing the frame's memory. */
  public ByteBuffer readSlice(String field, long length) {
    need(field, length);
    ByteBuffer s = buf.slice().limit((int) length).order(ByteOrder.LITTLE_ENDIAN);
    buf.position(buf.position() + (int) length);
    return s;
  }

  public int remaining() {
    return buf.remaining();
  }

  /** Fails when bytes are left over: a frame of the right type but the wrong layout. */
  public void expectEnd(String frameName) {
    if (buf.hasRemaining()) {
      throw new WireFormatException(frameName, frameName + " frame has " + buf.remaining() + " unexpected trailing bytes");
    }
  }
}
