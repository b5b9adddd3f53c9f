package io.epruntime.examples;

import io.epruntime.client.StepRequest;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.List;

/**
 * What every output of a step satisfies, in HT and LL alike:
 * {@code out[t] = sum over k with topk_idx[t,k] >= 0 of topk_weights[t,k] * expert_k(x[t])},
 * accumulated in fp32 and rounded to the world's output dtype, here for the {@code scale} kernel,
 * {@code expert_e(x) = x * (1 + e / E)}. Computed in double, so the check measures the runtime's
 * roundings only.
 */
final class CombineFormula {
  private CombineFormula() {}

  /**
   * The largest difference between an output and the formula, relative to the sum of the absolute
   * terms of that output (so a sum that cancels to near zero is still checked fairly).
   */
  static double maxError(EpConfig world, StepRequest request, List<HiddenStates> outputs) {
    double worst = 0;
    for (int r = 0; r < world.worldSize(); r++) {
      HiddenStates x = request.x().get(r);
      Routing routing = request.routing().get(r);
      HiddenStates out = outputs.get(r);
      for (int t = 0; t < x.tokens(); t++) {
        for (int c = 0; c < world.hidden(); c++) {
          double want = 0;
          double size = 0;
          for (int k = 0; k < world.topk(); k++) {
            long e = routing.expert(t, k);
            if (e >= 0) {
              double term = routing.weight(t, k) * x.value(t, c) * (1.0 + (double) e / world.experts());
              want += term;
              size += Math.abs(term);
            }
          }
          double got = out.value(t, c);
          worst = Math.max(worst, size == 0 ? Math.abs(got) : Math.abs(got - want) / size);
        }
      }
    }
    return worst;
  }

  /**
   * How far the runtime's roundings may take an output from the exact formula, relative to the
   * terms' size: fp32 worlds round the expert's multiply and each of the K multiply-adds (2^-24
   * each); bf16 and fp8 worlds, whose outputs are bf16, also round the expert outputs (LL) or each
   * rank's partial sum (HT), and the result, to bf16 (2^-8 of the value each).
   */
  static double tolerance(EpConfig world) {
    return world.dtype() == DType.FP32 ? (world.topk() + 4) * 0x1p-24 : 0x1p-6;
  }
}
