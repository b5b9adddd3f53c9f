package io.epruntime.cli.run;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import java.util.List;
import java.util.Locale;

/**
 * Compares a step's combined outputs with the CPU reference's. Equal bytes pass. Otherwise the
 * outputs must agree within DeepEP's similarity measure {@code calc_diff = 1 - 2<x,y> / (<x,x> + <y,y>)}
 * at DeepEP's tolerances (bf16: 5e-6 HT, 1e-5 LL; fp8 dispatch: 5e-4 HT, 9e-4 LL); fp32 must be
 * bit-identical, since both backends sum in the same fixed order. A mismatch is described by its
 * first differing element, the detail a person needs to start debugging.
 */
public final class OutputComparator {
  private OutputComparator() {}

  /** Null when {@code actual} matches {@code expected}; else one line saying where and by how much. */
  public static String mismatch(List<HiddenStates> expected, List<HiddenStates> actual, DType dispatchDType, StepMode mode) {
    if (actual == null || actual.size() != expected.size()) {
      return "expected outputs of " + expected.size() + " ranks, got " + (actual == null ? "none" : actual.size());
    }
    for (int r = 0; r < expected.size(); r++) {
      String m = mismatch(r, expected.get(r), actual.get(r), tolerance(dispatchDType, mode));
      if (m != null) {
        return m;
      }
    }
    return null;
  }

  /** DeepEP's tolerance for {@code calc_diff}; 0 means the bytes must be equal. */
  static double tolerance(DType dispatchDType, StepMode mode) {
    return switch (dispatchDType) {
      case FP32 -> 0;
      case BF16 -> mode == StepMode.LL ? 1e-5 : 5e-6;
      case FP8_E4M3 -> mode == StepMode.LL ? 9e-4 : 5e-4;
    };
  }

  private static String mismatch(int rank, HiddenStates want, HiddenStates got, double tolerance) {
    if (got == null) {
      return "rank " + rank + ": no output";
    }
    if (got.tokens() != want.tokens() || got.hidden() != want.hidden() || got.dtype() != want.dtype()) {
      return "rank " + rank + ": output is " + got.dtype() + " [" + got.tokens() + ", " + got.hidden() + "], expected "
          + want.dtype() + " [" + want.tokens() + ", " + want.hidden() + "]";
    }
    if (got.x().contentEquals(want.x()) && (want.scales() == null || want.scales().contentEquals(got.scales()))) {
      return null;
    }
    double xy = 0;
    double xx = 0;
    double yy = 0;
    int firstRow = -1;
    int firstCol = -1;
    for (int t = 0; t < want.tokens(); t++) {
      for (int c = 0; c < want.hidden(); c++) {
        double x = want.value(t, c);
        double y = got.value(t, c);
        xy += x * y;
        xx += x * x;
        yy += y * y;
        if (firstRow < 0 && Float.floatToIntBits((float) x) != Float.floatToIntBits((float) y)) {
          firstRow = t;
          firstCol = c;
        }
      }
    }
    double denominator = xx + yy;
    double diff = denominator == 0 ? 0 : 1 - 2 * xy / denominator;
    boolean withinTolerance = tolerance > 0 && Double.isFinite(diff) && diff <= tolerance;
    if (withinTolerance) {
      return null;
    }
    if (firstRow < 0) {
      return "rank " + rank + ": same values but different bytes (signed zeros or NaN payloads; calc_diff " + diff + ")";
    }
    return String.format(Locale.ROOT, "rank %d token %d channel %d: got %s, expected %s (calc_diff %.3g, tolerance %.1g)",
        rank, firstRow, firstCol, got.value(firstRow, firstCol), want.value(firstRow, firstCol), diff, tolerance);
  }
}
