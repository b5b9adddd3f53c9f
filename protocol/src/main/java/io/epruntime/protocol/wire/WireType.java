package io.epruntime.protocol.wire;

/** The kind of a frame, the byte after the version in the header. */
public enum WireType {
  BOOTSTRAP(1),
  STEP_INPUT(2),
  STEP_OUTPUT(3),
  MESH(4),
  /** Client → the coordinator's node: a step to sequence. */
  SUBMIT_STEP(6),
  /** Coordinator → each rank's node: a sequenced step. */
  RUN_STEP(7),
  /** Rank → the coordinator's node: the rank finished its part of a step. */
  STEP_COMPLETED(8),
  /** Rank → the coordinator's node: the rank could not run its part. */
  STEP_FAILED(9),
  /** Coordinator → client: a step that was refused or did not complete. */
  STEP_ERROR(10);

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
    throw new WireFormatException("type", "frame type " + code + " is unknown; known: BOOTSTRAP=1, STEP_INPUT=2, STEP_OUTPUT=3, MESH=4, SUBMIT_STEP=6, RUN_STEP=7, STEP_COMPLETED=8, STEP_FAILED=9, STEP_ERROR=10");
  }
}
