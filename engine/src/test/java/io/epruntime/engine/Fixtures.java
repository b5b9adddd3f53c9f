package io.epruntime.engine;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.List;

/** Small helpers the engine tests share. */
final class Fixtures {
  private Fixtures() {}

  static List<HiddenStates> xs(List<RankInput> in) {
    return in.stream().map(RankInput::x).toList();
  }

  static List<Routing> routings(List<RankInput> in) {
    return in.stream().map(RankInput::routing).toList();
  }

  /** The bytes of one row of x (and, for fp8, of its scales) — what a received row must equal. */
  static byte[] rowBytes(HiddenStates x, int row) {
    byte[] data = bytes(x.x(), row);
    if (x.scales() == null) {
      return data;
    }
    byte[] scales = bytes(x.scales(), row);
    byte[] both = new byte[data.length + scales.length];
    System.arraycopy(data, 0, both, 0, data.length);
    System.arraycopy(scales, 0, both, data.length, scales.length);
    return both;
  }

  private static byte[] bytes(Tensor t, int row) {
    byte[] out = new byte[t.rowBytes()];
    ByteBuffer d = t.data();
    d.get(row * t.rowBytes(), out);
    return out;
  }

  /** x widened to floats, fp8 scales applied. */
  static float[][] values(HiddenStates x) {
    float[][] out = new float[x.tokens()][x.hidden()];
    for (int t = 0; t < x.tokens(); t++) {
      for (int c = 0; c < x.hidden(); c++) {
        out[t][c] = x.value(t, c);
      }
    }
    return out;
  }

  /** fp8 rows dequantised to bf16 (what an fp8 world combines); other dtypes unchanged. */
  static HiddenStates toCombineDType(HiddenStates x) {
    if (x.dtype() != DType.FP8_E4M3) {
      return x;
    }
    Tensor out = Tensor.allocate(DType.BF16, x.tokens(), x.hidden());
    for (int t = 0; t < x.tokens(); t++) {
      for (int c = 0; c < x.hidden(); c++) {
        out.set(t, c, x.value(t, c));
      }
    }
    return HiddenStates.of(out);
  }

  static EpConfig config(int n, int e, int h, int k, int m, int alignment, DType dtype) {
    return new EpConfig(n, e, h, k, m, alignment, dtype);
  }
}
