package io.epruntime.client;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.StepMode;

/** Checks a step request against the world's config before anything is sent; errors name the field. */
final class StepChecks {
  private StepChecks() {}

  static void validate(EpConfig world, StepRequest request) {
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
      max = Math.max(max, request.x().get(r).tokens());
    }
    if (request.mode() == StepMode.LL && !world.lowLatencyFits(max)) {
      throw new EpArgumentException("mode", "mode = LL needs every rank's tokens <= ep.ll-max-tokens-per-rank = "
          + world.llMaxTokensPerRank() + ", but the largest is " + max);
    }
  }
}
