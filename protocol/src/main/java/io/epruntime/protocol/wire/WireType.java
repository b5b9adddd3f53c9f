package io.epruntime.protocol.wire;

/** The kind of a frame, the byte after the version in the header. */
public enum WireType {
  BOOTSTRAP(1),
  STEP_INPUT(2),
  STEP_OUTPUT(3),
  MESH(4),
  CONTROL(5);

  /** "EPW1" read as a little-endian int: the first four bytes of every frame. */
  public static final int MAGIC = 0x31575045;
  public static final byte VERSION = 1;
  /** Bytes of magic, version and type. */
  public static final int HEADER_BYTES = 6;

  private final byte code;

  WireType(int code) {
    this.code = (byte) code;
  }

  public byte code() {
    return code;
  }

  /** The type with this code; a {@link WireFormatException} for unknown codes. */
  public static WireType of(byte code) {
    for (WireType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new WireFormatException("type", "frame type " + code + " is unknown; known: BOOTSTRAP=1, STEP_INPUT=2, STEP_OUTPUT=3, MESH=4, CONTROL=5");
  }
}
