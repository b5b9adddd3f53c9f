package io.epruntime.client;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.tensor.Tensor;

/** Checks a step request against the world's config before anything is sent; errors name the field. */
final class StepChecks {
  private StepChecks() {}

  /** As {@link #validate(EpConfig, StepRequest, boolean)} with the finiteness check on. */
  static void validate(EpConfig world, StepRequest request) {
    validate(world, request, true);
  }

  /**
   * Refuses, naming the field, what the world cannot run; with {@code checkFinite} also NaN and
   * infinities in {@code x} (and in fp8 scales), which the ranks would otherwise carry into every
   * output they touch.
   */
  static void validate(EpConfig world, StepRequest request, boolean checkFinite) {
    if (request == null) {
      throw new EpArgumentException("request", "request is required");
    }
    int n = world.worldSize();
    if (request.x() == null || request.x().size() != n) {
      throw new EpArgumentException("x", "x needs one tensor per rank (" + n + "), got "
          + (request.x() == null ? "null" : request.x().size()));
    }
    if (request.routing() == null || request.routing().size() != n) {
      throw new EpArgumentException("routing", "routing needs one entry per rank (" + n + "), got "
          + (request.routing() == null ? "null" : request.routing().size()));
    }
    if (request.kernel() == null) {
      throw new EpArgumentException("kernel", "kernel is required; allowed: identity, scale, swiglu");
    }
    int max = 0;
    for (int r = 0; r < n; r++) {
      if (request.x().get(r) == null || request.routing().get(r) == null) {
        throw new EpArgumentException("x[" + r + "]", "rank " + r + " has no tensor or routing");
      }
      try {
        world.validate(request.x().get(r), request.routing().get(r));
      } catch (EpArgumentException e) {
        throw new EpArgumentException(e.argument() + "[rank " + r + "]", "rank " + r + ": " + e.getMessage());
      }
      if (checkFinite) {
        requireFinite(r, request.x().get(r));
      }
      max = Math.max(max, request.x().get(r).tokens());
    }
    if (request.mode() == StepMode.LL && !world.lowLatencyFits(max)) {
      throw new EpArgumentException("mode", "mode = LL needs every rank's tokens <= ep.ll-max-tokens-per-rank = "
          + world.llMaxTokensPerRank() + ", but the largest is " + max);
    }
  }

  private static void requireFinite(int rank, HiddenStates x) {
    float[] row = new float[x.hidden()];
    for (int t = 0; t < x.tokens(); t++) {
      x.x().readRow(t, row);
      for (int c = 0; c < row.length; c++) {
        if (!Float.isFinite(row[c])) {
          throw notFinite(rank, "x", t, c, row[c]);
        }
      }
    }
    Tensor scales = x.scales();
    if (scales != null) {
      for (int t = 0; t < scales.rows(); t++) {
        for (int b = 0; b < scales.cols(); b++) {
          if (!Float.isFinite(scales.get(t, b))) {
            throw notFinite(rank, "scales", t, b, scales.get(t, b));
          }
        }
      }
    }
  }

  private static EpArgumentException notFinite(int rank, String field, int token, int column, float value) {
    return new EpArgumentException(field + "[rank " + rank + "]", field + "[rank " + rank + "][token " + token + "]["
        + (field.equals("x") ? "channel " : "block ") + column + "] = " + value + ": every value must be finite "
        + "(ep.client.check-finite = on refuses NaN and infinities before anything is sent)");
  }
}
