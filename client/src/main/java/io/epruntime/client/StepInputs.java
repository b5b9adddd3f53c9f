package io.epruntime.client;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.tensor.Tensor;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Builds a step's inputs from plain arrays. The runtime's own types refuse bad shapes with
 * {@code EpArgumentException}; these factories refuse them with {@link InvalidArgumentException},
 * like the rest of the client's API, naming the argument, the value and what is allowed.
 */
public final class StepInputs {
  private StepInputs() {}

  /**
   * One rank's hidden states {@code x [tokens, hidden]} from row-major floats, rounded once to
   * {@code dtype} (bf16 and fp32 with CUDA's round-to-nearest-even; fp8-e4m3 with one fp32 scale
   * per 128 channels, amax / 448).
   */
  public static HiddenStates hiddenStates(DType dtype, int tokens, int hidden, float[] values) {
    InvalidArgumentException.require(dtype != null, "dtype", null, "bf16, fp32 or fp8-e4m3");
    InvalidArgumentException.require(tokens >= 0, "tokens", tokens, ">= 0");
    InvalidArgumentException.require(hidden >= 1, "hidden", hidden, ">= 1");
    InvalidArgumentException.require(values != null && values.length == (long) tokens * hidden, "values",
        values == null ? null : values.length + " floats", "tokens x hidden = " + ((long) tokens * hidden) + " floats, row-major");
    return refusing(() -> {
      float[][] rows = new float[tokens][];
      for (int t = 0; t < tokens; t++) {
        rows[t] = Arrays.copyOfRange(values, t * hidden, (t + 1) * hidden);
      }
      if (dtype == DType.FP8_E4M3) {
        InvalidArgumentException.require(hidden % DType.FP8_SCALE_BLOCK == 0, "hidden", hidden, "a multiple of 128 for fp8-e4m3");
        return HiddenStates.quantizeFp8(rows, hidden);
      }
      Tensor x = Tensor.allocate(dtype, tokens, hidden);
      for (int t = 0; t < tokens; t++) {
        x.writeRow(t, rows[t]);
      }
      return HiddenStates.of(x);
    });
  }

  /**
   * One rank's router choices: {@code topkIdx [tokens, topk]} (global expert ids, -1 = none) and
   * {@code topkWeights [tokens, topk]}, row-major. Ids and weights are checked against the world
   * when the step is submitted.
   */
  public static Routing routing(int tokens, int topk, long[] topkIdx, float[] topkWeights) {
    return refusing(() -> new Routing(tokens, topk, topkIdx, topkWeights));
  }

  /** The expert kernel called {@code name}: identity, scale or swiglu (with its seed and intermediate size). */
  public static ExpertKernelSpec kernel(String name, long seed, int intermediate) {
    return refusing(() -> new ExpertKernelSpec(name, seed, intermediate));
  }

  /** {@link #kernel(String, long, int)} for identity or scale, which take no parameters. */
  public static ExpertKernelSpec kernel(String name) {
    return kernel(name, 0, 0);
  }

  private static <T> T refusing(Supplier<T> build) {
    try {
      return build.get();
    } catch (EpArgumentException e) {
      throw new InvalidArgumentException(e.argument(), e.getMessage());
    }
  }
}
