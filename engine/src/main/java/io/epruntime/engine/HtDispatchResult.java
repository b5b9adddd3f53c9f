package io.epruntime.engine;

import io.epruntime.protocol.tensor.HiddenStates;

/**
 * What one rank receives from an HT dispatch.
 *
 * @param recvX {@code [R, H]} rows grouped by source rank (ascending), in the sender's token order
 *     inside a group; fp8 rows keep their scales
 * @param recvTopkIdx {@code [R * K]} local expert ids in {@code [0, E/N)}, or -1 where the slot's
 *     expert lives on another rank (or was -1 at the source)
 * @param recvTopkWeights {@code [R * K]} the sender's weights, 0 where the local id is -1
 * @param recvTokensPerExpert {@code [E/N]} slots per local expert, rounded up to {@code alignment}
 * @param handle the layout, for combine and cached dispatch
 */
public record HtDispatchResult(
    HiddenStates recvX, long[] recvTopkIdx, float[] recvTopkWeights, int[] recvTokensPerExpert, HtHandle handle) {

  /** R, rows received. */
  public int recvRows() {
    return recvX.tokens();
  }
}
