package io.epruntime.engine;

import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;

/**
 * The function an expert computes on one token row, in fp32. Every backend computes the same
 * function from the same {@link ExpertKernelSpec}, so results can be compared across backends:
 *
 * <ul>
 *   <li>{@code identity}: {@code y = x}.
 *   <li>{@code scale}: {@code y = x * (1f + (float) e / (float) E)} in fp32 (one division, one add,
 *       one multiply, each rounded to nearest even) — bit-identical everywhere.
 *   <li>{@code swiglu}: {@code y = W2 (silu(W1 x) * (W3 x))}, see {@link SwigluKernel} and
 *       {@link SeededWeights}; equal across backends within bf16 tolerance.
 * </ul>
 *
 * <p>Implementations are thread-safe: ranks simulated in one JVM may share one kernel.
 */
public interface ExpertKernel {

  /** Computes {@code out[0, H) = expert_globalExpert(in[0, H))}; {@code in} is not modified. */
  void apply(int globalExpert, float[] in, float[] out);

  /** The kernel a spec names for a world of this shape. */
  static ExpertKernel of(ExpertKernelSpec spec, EpConfig config) {
    switch (spec.name()) {
      case "identity":
        return identity(config.hidden());
      case "scale":
        return scale(config.hidden(), config.experts());
      default:
        return new SwigluKernel(spec.seed(), config.hidden(), spec.intermediate());
    }
  }

  /** {@code y = x}. */
  static ExpertKernel identity(int hidden) {
    return (e, in, out) -> System.arraycopy(in, 0, out, 0, hidden);
  }

  /** {@code y = x * (1f + (float) e / (float) experts)}. */
  static ExpertKernel scale(int hidden, int experts) {
    return (e, in, out) -> {
      float f = 1f + (float) e / (float) experts;
      for (int c = 0; c < hidden; c++) {
        out[c] = in[c] * f;
      }
    };
  }
}
