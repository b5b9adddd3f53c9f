package io.epruntime.protocol.wire;

import io.epruntime.protocol.EpArgumentException;
import java.nio.ByteBuffer;

/**
 * One rank-to-rank payload of the cpu backend's data plane (DATA stream): the bytes the engine
 * produced for one destination in one phase of one step, tagged so the receiver can file it.
 *
 * @param generation world generation; frames of other generations are dropped
 * @param seq the step's global sequence number
 * @param phase {@link #DISPATCH} or {@link #COMBINE}
 * @param source the sending rank
 * @param payload the engine's bytes for this destination (shares the frame's memory when decoded)
 */
public record MeshFrame(long generation, long seq, byte phase, int source, ByteBuffer payload) {

  public static final byte DISPATCH = 0;
  public static final byte COMBINE = 1;

  public MeshFrame {
    EpArgumentException.require(phase == DISPATCH || phase == COMBINE, "phase", phase, "0 (dispatch) or 1 (combine)");
    EpArgumentException.require(source >= 0, "source", source, ">= 0");
    EpArgumentException.require(payload != null, "payload", null, "bytes");
  }

  public byte[] encode() {
    WireWriter w = WireWriter.frame(WireType.MESH, 32 + payload.remaining());
    w.putLong(generation).putLong(seq).putByte(phase).putInt(source).putInt(payload.remaining()).putRaw(payload);
    return w.toBytes();
  }

  public static MeshFrame decode(ByteBuffer frame) {
    WireReader r = WireReader.open(frame, WireType.MESH);
    long generation = r.readLong("generation");
    long seq = r.readLong("seq");
    byte phase = r.readByte("phase");
    if (phase != DISPATCH && phase != COMBINE) {
      throw new WireFormatException("phase", "phase = " + phase + "; allowed 0 (dispatch) or 1 (combine)");
    }
    int source = r.readInt("source", 0, Integer.MAX_VALUE);
    int length = r.readInt("payload.length", 0, Integer.MAX_VALUE);
    ByteBuffer payload = r.readSlice("payload", length);
    r.expectEnd("MESH");
    return new MeshFrame(generation, seq, phase, source, payload);
  }
}
