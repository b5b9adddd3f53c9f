package io.epruntime.protocol.tensor;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;

/**
 * Token hidden states {@code x [T, H]}; for {@code fp8-e4m3} also the fp32 scales
 * {@code [T, H/128]} (value = fp8 code x scale of its 128-channel block). {@code scales} is null for
 * bf16 and fp32.
 */
public record HiddenStates(Tensor x, Tensor scales) {

  public HiddenStates {
    if (x == null) {
      throw new EpArgumentException("x", "x is required");
    }
    if (x.dtype() == DType.FP8_E4M3) {
      int blocks = x.cols() / DType.FP8_SCALE_BLOCK;
      if (x.cols() % DType.FP8_SCALE_BLOCK != 0) {
        throw new EpArgumentException("x", "fp8-e4m3 hidden = " + x.cols() + " must be a multiple of 128");
      }
      if (scales == null || scales.dtype() != DType.FP32 || scales.rows() != x.rows() || scales.cols() != blocks) {
        throw new EpArgumentException(
            "scales", "fp8-e4m3 x [" + x.rows() + ", " + x.cols() + "] needs fp32 scales [" + x.rows() + ", " + blocks + "], got " + scales);
      }
    } else if (scales != null) {
      throw new EpArgumentException("scales", "scales are only for fp8-e4m3, not " + x.dtype());
    }
  }

  public static HiddenStates of(Tensor x) {
    return new HiddenStates(x, null);
  }

  public int tokens() {
    return x.rows();
  }

  public int hidden() {
    return x.cols();
  }

  public DType dtype() {
    return x.dtype();
  }

  /** Value of element (row, col) as a float, scale applied for fp8. */
  public float value(int row, int col) {
    float v = x.get(row, col);
    return scales == null ? v : v * scales.get(row, col / DType.FP8_SCALE_BLOCK);
  }

  /** A heap tensor of zeros with the given rows, this dtype and width (and scales when fp8). */
  public static HiddenStates zeros(DType dtype, int rows, int hidden) {
    Tensor s = dtype == DType.FP8_E4M3 ? Tensor.allocate(DType.FP32, rows, hidden / DType.FP8_SCALE_BLOCK) : null;
    return new HiddenStates(Tensor.allocate(dtype, rows, hidden), s);
  }

  /** Quantises float rows to fp8 e4m3 with one scale per 128 channels (amax / 448, as DeepEP's tests do). */
  public static HiddenStates quantizeFp8(float[][] rows, int hidden) {
    HiddenStates out = zeros(DType.FP8_E4M3, rows.length, hidden);
    for (int t = 0; t < rows.length; t++) {
      for (int b = 0; b < hidden / DType.FP8_SCALE_BLOCK; b++) {
        float amax = 1e-4f;
        for (int c = b * DType.FP8_SCALE_BLOCK; c < (b + 1) * DType.FP8_SCALE_BLOCK; c++) {
          amax = Math.max(amax, Math.abs(rows[t][c]));
        }
        float scale = amax / Fp8E4M3.MAX;
        out.scales.set(t, b, scale);
        for (int c = b * DType.FP8_SCALE_BLOCK; c < (b + 1) * DType.FP8_SCALE_BLOCK; c++) {
          out.x.set(t, c, rows[t][c] / scale);
        }
      }
    }
    return out;
  }
}
