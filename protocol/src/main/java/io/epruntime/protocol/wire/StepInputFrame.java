package io.epruntime.protocol.wire;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import java.nio.ByteBuffer;

/**
 * A client's tokens for one rank of one step, sent straight to that rank over Aeron (STEP_INPUT
 * stream), never through the coordinator.
 *
 * @param clientId the client's id, unique per client process
 * @param requestId the client's request number; with clientId it names the step request
 * @param rank the destination rank
 * @param replyEndpoint the client's {@code host:port} where the rank sends the STEP_OUTPUT frame
 * @param x this rank's hidden states {@code [T_r, H]}
 * @param routing this rank's {@code topk_idx} / {@code topk_weights}
 */
public record StepInputFrame(
    long clientId, long requestId, int rank, String replyEndpoint,
    HiddenStates x, Routing routing) {

  public StepInputFrame {
    EpArgumentException.require(rank >= 0, "rank", rank, ">= 0");
    EpArgumentException.require(replyEndpoint != null && !replyEndpoint.isBlank(), "replyEndpoint", replyEndpoint, "a host:port");
    EpArgumentException.require(x != null, "x", null, "hidden states");
    EpArgumentException.require(routing != null, "routing", null, "a routing");
  }

  public byte[] encode() {
    WireWriter w = WireWriter.frame(WireType.STEP_INPUT, 64 + TensorCodec.sizeOf(x) + routing.topkIdx().length * 12);
    w.putLong(clientId).putLong(requestId).putInt(rank).putString(replyEndpoint);
    TensorCodec.write(w, x);
    TensorCodec.write(w, routing);
    return w.toBytes();
  }

  /** Decodes a STEP_INPUT frame; the tensors share {@code frame}'s memory. */
  public static StepInputFrame decode(ByteBuffer frame) {
    WireReader r = WireReader.open(frame, WireType.STEP_INPUT);
    long clientId = r.readLong("clientId");
    long requestId = r.readLong("requestId");
    int rank = r.readInt("rank", 0, Integer.MAX_VALUE);
    String reply = r.readString("replyEndpoint", BootstrapRecord.MAX_ADDRESS_BYTES, false);
    HiddenStates x = TensorCodec.readHiddenStates(r, "x");
    Routing routing = TensorCodec.readRouting(r, "routing");
    r.expectEnd("STEP_INPUT");
    try {
      return new StepInputFrame(clientId, requestId, rank, reply, x, routing);
    } catch (WireFormatException e) {
      throw e;
    } catch (EpArgumentException e) {
      throw new WireFormatException(e.argument(), e.getMessage());
    }
  }
}
