package io.epruntime.protocol.ep;

import io.epruntime.protocol.EpArgumentException;
import java.util.List;

/**
 * Which function the experts compute, the same on every rank and backend.
 *
 * <ul>
 *   <li>{@code identity}: y = x.
 *   <li>{@code scale}: expert e computes y = x * (1 + e / E), so a token routed to the wrong expert
 *       shows in the result.
 *   <li>{@code swiglu}: y = W2 (silu(W1 x) * (W3 x)) with intermediate size {@code intermediate} and
 *       weights that are a pure function of (seed, expert), so no node ships weights.
 * </ul>
 */
public record ExpertKernelSpec(String name, long seed, int intermediate) {

  public static final List<String> NAMES = List.of("identity", "scale", "swiglu");

  public ExpertKernelSpec {
    if (name == null || !NAMES.contains(name)) {
      throw new EpArgumentException("expert-kernel", "expert-kernel = " + name + " is not one of " + String.join(", ", NAMES));
    }
    EpArgumentException.require(
        !name.equals("swiglu") || intermediate >= 1, "expert-kernel.intermediate", intermediate, ">= 1 for swiglu");
  }

  public static ExpertKernelSpec identity() {
    return new ExpertKernelSpec("identity", 0, 0);
  }

  public static ExpertKernelSpec scale() {
    return new ExpertKernelSpec("scale", 0, 0);
  }

  public static ExpertKernelSpec swiglu(long seed, int intermediate) {
    return new ExpertKernelSpec("swiglu", seed, intermediate);
  }
}
