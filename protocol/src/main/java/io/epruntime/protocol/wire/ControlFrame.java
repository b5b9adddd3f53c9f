package io.epruntime.protocol.wire;

import io.epruntime.protocol.EpArgumentException;
import java.nio.ByteBuffer;

/**
 * An actor message carried over Aeron instead of Pekko remoting (CONTROL stream): the message as
 * Pekko's own serialization wrote it (serializer id, manifest, bytes; Jackson CBOR for the
 * protocol's types) and the node-local actor it is for. Used for the two messages on every step's
 * critical path, a client's {@code SubmitStep} and the coordinator's {@code RunStep}.
 *
 * @param target which actor of the receiving node takes the message: {@link #TO_COORDINATOR} or {@link #TO_RANK}
 */
public record ControlFrame(byte target, int serializerId, String manifest, byte[] message) {
  /** The node's proxy of the coordinator singleton. */
  public static final byte TO_COORDINATOR = 1;
  /** The node's rank actor. */
  public static final byte TO_RANK = 2;
  /** Largest serialized message accepted. */
  public static final int MAX_MESSAGE_BYTES = 1 << 20;

  public ControlFrame {
    EpArgumentException.require(target == TO_COORDINATOR || target == TO_RANK, "target", target, "1 (coordinator) or 2 (rank)");
    EpArgumentException.require(manifest != null, "manifest", null, "a string, possibly empty");
    EpArgumentException.require(message != null && message.length <= MAX_MESSAGE_BYTES, "message",
        message == null ? null : message.length + " bytes", "0.." + MAX_MESSAGE_BYTES + " bytes");
  }

  public byte[] encode() {
    WireWriter w = WireWriter.frame(WireType.CONTROL, 64 + manifest.length() + message.length);
    w.putByte(target).putInt(serializerId).putString(manifest).putBytes(message);
    return w.toBytes();
  }

  /** Decodes a CONTROL frame; a {@link WireFormatException} naming the field when malformed. */
  public static ControlFrame decode(ByteBuffer frame) {
    WireReader r = WireReader.open(frame, WireType.CONTROL);
    byte target = r.readByte("target");
    int serializerId = r.readInt("serializerId");
    String manifest = r.readString("manifest", 1024, false);
    byte[] message = r.readBytes("message", MAX_MESSAGE_BYTES);
    r.expectEnd("CONTROL");
    try {
      return new ControlFrame(target, serializerId, manifest, message);
    } catch (EpArgumentException e) {
      throw new WireFormatException(e.argument(), e.getMessage());
    }
  }
}
