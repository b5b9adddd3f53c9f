package io.epruntime.chaos;

import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.List;

/**
 * The checker's own idea of a right answer, sharing no code with the runtime's reference engine:
 * with the {@code scale} kernel, expert e maps x to x * (1 + e / E), so token t's combined output is
 * x_t * sum over its slots k of w_tk * (1 + e_tk / E), masked slots (-1) adding nothing. Compared
 * with bf16's precision (8 bits of mantissa, two roundings).
 */
final class ScaleOracle {
  private ScaleOracle() {}

  /** Null when every rank's output is right, else where it is not. */
  static String mismatch(int experts, List<HiddenStates> x, List<Routing> routing, List<HiddenStates> outputs) {
    if (outputs.size() != x.size()) {
      return outputs.size() + " ranks answered, " + x.size() + " asked";
    }
    for (int r = 0; r < x.size(); r++) {
      HiddenStates in = x.get(r);
      HiddenStates out = outputs.get(r);
      if (out.tokens() != in.tokens() || out.hidden() != in.hidden()) {
        return "rank " + r + ": output " + out.tokens() + "x" + out.hidden() + " for input " + in.tokens() + "x" + in.hidden();
      }
      Routing rt = routing.get(r);
      for (int t = 0; t < in.tokens(); t++) {
        double factor = 0;
        for (int k = 0; k < rt.topk(); k++) {
          long e = rt.topkIdx()[t * rt.topk() + k];
          if (e >= 0) {
            factor += rt.topkWeights()[t * rt.topk() + k] * (1.0 + (double) e / experts);
          }
        }
        for (int c = 0; c < in.hidden(); c++) {
          double want = in.x().get(t, c) * factor;
          double got = out.x().get(t, c);
          if (Math.abs(got - want) > 0.02 * Math.max(1e-3, Math.abs(want)) + 1e-3) {
            return "rank " + r + " token " + t + " channel " + c + ": " + got + ", oracle " + want;
          }
        }
      }
    }
    return null;
  }
}
