package io.epruntime.engine;

import io.epruntime.protocol.EpArgumentException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Checks shared by every receive: the array of payloads and the token indices inside them. */
final class Payloads {
  private Payloads() {}

  /**
   * Views each payload from its position to its limit, little-endian, index 0 at the header; the
   * caller's buffers are not moved.
   */
  static ByteBuffer[] normalize(ByteBuffer[] payloads, int worldSize, String argument) {
    if (payloads == null || payloads.length != worldSize) {
      throw new EpArgumentException(argument, argument + " needs one payload per rank (" + worldSize + "), got "
          + (payloads == null ? "null" : payloads.length));
    }
    ByteBuffer[] out = new ByteBuffer[worldSize];
    for (int i = 0; i < worldSize; i++) {
      if (payloads[i] == null) {
        throw new EpArgumentException(argument + "[" + i + "]", argument + "[" + i + "] is missing (null)");
      }
      out[i] = payloads[i].slice().order(ByteOrder.LITTLE_ENDIAN);
    }
    return out;
  }

  /** Token indices inside one payload are ascending and within the sender's token count. */
  static void checkToken(int[] tokens, int i, int tokenCount, String argument) {
    int t = tokens[i];
    if (t < 0 || t >= tokenCount || (i > 0 && t <= tokens[i - 1])) {
      throw new EpArgumentException(argument, argument + " row " + i + " names token " + t
          + "; tokens must ascend within [0, " + tokenCount + ")");
    }
  }
}
