package io.epruntime.cli.run;

import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.List;

/**
 * One step's inputs for every rank, kept until its result is verified.
 *
 * @param index position of the step in the run (0-based), not the coordinator's sequence number
 * @param x per rank, its hidden states
 * @param routing per rank, its router choices
 * @param requestedMode the mode the run forces, or null to let the coordinator choose
 */
public record StepInput(int index, List<HiddenStates> x, List<Routing> routing, StepMode requestedMode) {

  /** Every rank's token count, in rank order. */
  public int[] tokensPerRank() {
    int[] t = new int[x.size()];
    for (int r = 0; r < t.length; r++) {
      t[r] = x.get(r).tokens();
    }
    return t;
  }

  /** Bytes of hidden states the client sends for this step (all ranks). */
  public long inputBytes() {
    long b = 0;
    for (HiddenStates h : x) {
      b += h.x().byteSize();
    }
    return b;
  }
}
