package io.epruntime.engine;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.Bf16;
import io.epruntime.protocol.tensor.HiddenStates;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * HT dispatch and combine of all ranks at once, for {@link ReferenceEngine}, where every rank's
 * memory is in this JVM: the same results, bit for bit, as the payload path of {@link RankEngine}
 * ({@code htDispatchSend} / {@code htDispatchReceive}, {@code htCombineSend} / {@code
 * htCombineReceive}), with each row moved once.
 *
 * <ul>
 *   <li>Dispatch: every rank's layout is known before any row moves, so each row is copied from
 *       its source's {@code x} straight to its place in the receiver's {@code recvX}.
 *   <li>Combine: the rows rank r sends home to rank h are the contiguous range
 *       {@code [rankPrefix[h], rankPrefix[h+1])} of r's reduced rows, so the home rank sums them
 *       where they lie, in the order of {@link RankEngine}'s class comment ({@code acc = 0f}, then
 *       {@code acc += row} for source ranks ascending, then bias, one rounding), two rows per pass
 *       over the fp32 accumulator and the last pass fused with the bf16 rounding.
 * </ul>
 */
final class HtInMemory {
  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private HtInMemory() {}

  static List<HtDispatchResult> dispatch(EpConfig config, RankEngine[] ranks, List<HiddenStates> x, List<Routing> routing,
      ResultArena arena) {
    int n = config.worldSize();
    int k = config.topk();
    int[][][] lists = new int[n][][];
    boolean[][] inRank = new boolean[n][];
    int[] sourceTokens = new int[n];
    for (int s = 0; s < n; s++) {
      HiddenStates xs = x.get(s);
      Routing rs = routing.get(s);
      config.validate(xs, rs);
      DispatchLayout layout = ranks[s].layout(rs);
      inRank[s] = layout.tokenInRank();
      sourceTokens[s] = xs.tokens();
      lists[s] = HtHandle.tokensPerDestination(inRank[s], xs.tokens(), n);
    }
    List<HtDispatchResult> out = new ArrayList<>(n);
    for (int d = 0; d < n; d++) {
      int[] prefix = new int[n + 1];
      for (int s = 0; s < n; s++) {
        prefix[s + 1] = prefix[s] + lists[s][d].length;
      }
      int total = prefix[n];
      HiddenStates recvX = ResultArena.hiddenStates(arena, config.dtype(), total, config.hidden());
      ByteBuffer dst = recvX.x().data();
      ByteBuffer dstScales = recvX.scales() == null ? null : recvX.scales().data();
      int rowBytes = recvX.x().rowBytes();
      int[] srcRank = new int[total];
      int[] srcToken = new int[total];
      long[] recvIdx = new long[total * k];
      float[] recvWeights = new float[total * k];
      int[] perExpert = new int[config.localExperts()];
      int first = config.firstExpertOf(d);
      int last = first + config.localExperts();
      for (int s = 0; s < n; s++) {
        int[] list = lists[s][d];
        int base = prefix[s];
        long[] idx = routing.get(s).topkIdx();
        float[] w = routing.get(s).topkWeights();
        ByteBuffer src = x.get(s).x().data();
        for (int i = 0; i < list.length; i++) {
          int t = list[i];
          int row = base + i;
          srcRank[row] = s;
          srcToken[row] = t;
          for (int j = 0; j < k; j++) {
            long e = idx[t * k + j];
            boolean here = e >= first && e < last;
            int l = here ? (int) (e - first) : -1;
            recvIdx[row * k + j] = l;
            recvWeights[row * k + j] = here ? w[t * k + j] : 0f;
            if (l >= 0) {
              perExpert[l]++;
            }
          }
          dst.put(row * rowBytes, src, t * rowBytes, rowBytes);
        }
        if (dstScales != null) {
          int scaleBytes = recvX.scales().rowBytes();
          ByteBuffer scales = x.get(s).scales().data();
          for (int i = 0; i < list.length; i++) {
            dstScales.put((base + i) * scaleBytes, scales, list[i] * scaleBytes, scaleBytes);
          }
        }
      }
      for (int l = 0; l < perExpert.length; l++) {
        perExpert[l] = (perExpert[l] + config.alignment() - 1) / config.alignment() * config.alignment();
      }
      HtHandle handle = new HtHandle(d, n, srcRank, srcToken, prefix, sourceTokens.clone(), sourceTokens[d], inRank[d]);
      out.add(new HtDispatchResult(recvX, recvIdx, recvWeights, perExpert, handle));
    }
    return out;
  }

  /**
   * Whether {@link #combine} applies: bf16 rows (the combine dtype of bf16 and fp8 worlds), even
   * width, heap memory everywhere. Otherwise the caller takes the payload path.
   */
  static boolean canCombine(EpConfig config, List<HiddenStates> reducedRows, List<HiddenStates> biasOrNull) {
    if (config.dtype().combineDType() != DType.BF16 || config.hidden() % 2 != 0) {
      return false;
    }
    for (int r = 0; r < config.worldSize(); r++) {
      HiddenStates y = reducedRows.get(r);
      HiddenStates b = biasOrNull == null ? null : biasOrNull.get(r);
      if (y == null || !y.x().data().hasArray() || (b != null && !b.x().data().hasArray())) {
        return false;
      }
    }
    return true;
  }

  static List<HiddenStates> combine(EpConfig config, List<HtDispatchResult> d, List<HiddenStates> reducedRows,
      List<HiddenStates> biasOrNull, ResultArena arena) {
    int n = config.worldSize();
    int h = config.hidden();
    DType dt = config.dtype().combineDType();
    int rowBytes = h * dt.bytesPerElement();
    byte[][] arrays = new byte[n][];
    int[] arrayBase = new int[n];
    for (int r = 0; r < n; r++) {
      HtDispatchResult dr = d.get(r);
      if (dr == null || dr.handle().rank() != r || dr.recvX().hidden() != h) {
        throw new EpArgumentException("d", "the dispatch result belongs to rank " + (dr == null ? "none" : dr.handle().rank())
            + ", not to rank " + r);
      }
      HiddenStates y = reducedRows.get(r);
      if (y == null || y.dtype() != dt || y.hidden() != h || y.tokens() != dr.recvRows()) {
        throw new EpArgumentException("reducedRows", "reducedRows must be " + dt + " [" + dr.recvRows() + ", "
            + h + "], got " + (y == null ? "null" : y.x()));
      }
      ByteBuffer data = y.x().data();
      arrays[r] = data.array();
      arrayBase[r] = data.arrayOffset();
    }
    List<HiddenStates> out = new ArrayList<>(n);
    int[] cursor = new int[n];
    int[] end = new int[n];
    byte[][] rowArray = new byte[n][];
    int[] rowOff = new int[n];
    float[] acc = new float[h];
    for (int home = 0; home < n; home++) {
      int tokenCount = -1;
      for (int r = 0; r < n; r++) {
        HtHandle hd = d.get(r).handle();
        int aux = hd.sourceTokens()[home];
        if (tokenCount >= 0 && aux != tokenCount) {
          String arg = "fromRank[" + r + "]";
          throw new EpArgumentException(arg, arg + " says this rank had " + aux + " tokens, another payload said " + tokenCount);
        }
        tokenCount = aux;
        cursor[r] = hd.rankPrefix()[home];
        end[r] = hd.rankPrefix()[home + 1];
      }
      HiddenStates biasStates = biasOrNull == null ? null : biasOrNull.get(home);
      if (biasStates != null && (biasStates.dtype() != dt || biasStates.hidden() != h || biasStates.tokens() != tokenCount)) {
        throw new EpArgumentException("bias", "bias must be " + dt + " [" + tokenCount + ", " + h + "], got " + biasStates.x());
      }
      ByteBuffer bias = biasStates == null ? null : biasStates.x().data();
      HiddenStates result = ResultArena.hiddenStates(arena, dt, tokenCount, h);
      ByteBuffer dstBuf = result.x().data();
      byte[] dst = dstBuf.array();
      int dstBase = dstBuf.arrayOffset();
      for (int t = 0; t < tokenCount; t++) {
        int m = 0;
        for (int r = 0; r < n; r++) {
          int i = cursor[r];
          if (i < end[r] && d.get(r).handle().recvSrcToken()[i] == t) {
            rowArray[m] = arrays[r];
            rowOff[m] = arrayBase[r] + i * rowBytes;
            m++;
            cursor[r] = i + 1;
          }
        }
        int o = dstBase + t * rowBytes;
        if (bias == null) {
          sumAndEncode(rowArray, rowOff, m, acc, h, dst, o);
        } else {
          sumInto(rowArray, rowOff, m, acc, h);
          RowCodec.accumulate(dt, bias, t * rowBytes, h, acc);
          RowCodec.encode(dt, acc, h, dstBuf, t * rowBytes);
        }
      }
      for (int r = 0; r < n; r++) {
        if (cursor[r] != end[r]) {
          String arg = "fromRank[" + r + "]";
          throw new EpArgumentException(arg, arg + " holds rows for tokens outside [0, " + tokenCount + ") or not ascending");
        }
      }
      out.add(result);
    }
    return out;
  }

  /** {@code acc = 0f + row_0 + ... + row_{m-1}}, left to right, two rows per pass. */
  private static void sumInto(byte[][] a, int[] off, int m, float[] acc, int h) {
    if (m == 0) {
      Arrays.fill(acc, 0, h, 0f);
      return;
    }
    if (m == 1) {
      init1(a[0], off[0], acc, h);
      return;
    }
    init2(a[0], off[0], a[1], off[1], acc, h);
    int j = 2;
    for (; j + 2 <= m; j += 2) {
      add2(a[j], off[j], a[j + 1], off[j + 1], acc, h);
    }
    if (j < m) {
      add1(a[j], off[j], acc, h);
    }
  }

  /**
   * Rounds {@code 0f + row_0 + ... + row_{m-1}} (left to right) to bf16 into {@code dst} at
   * {@code o}: two rows per pass over the fp32 accumulator, the last pass fused with the rounding,
   * so one or two rows need no accumulator at all.
   */
  private static void sumAndEncode(byte[][] a, int[] off, int m, float[] acc, int h, byte[] dst, int o) {
    switch (m) {
      case 0 -> Arrays.fill(dst, o, o + 2 * h, (byte) 0); // bf16(0f) is all zero bits
      case 1 -> init1Encode(a[0], off[0], h, dst, o);
      case 2 -> init2Encode(a[0], off[0], a[1], off[1], h, dst, o);
      default -> {
        init2(a[0], off[0], a[1], off[1], acc, h);
        int j = 2;
        for (; m - j > 2; j += 2) {
          add2(a[j], off[j], a[j + 1], off[j + 1], acc, h);
        }
        if (m - j == 2) {
          add2Encode(a[j], off[j], a[j + 1], off[j + 1], acc, h, dst, o);
        } else {
          add1Encode(a[j], off[j], acc, h, dst, o);
        }
      }
    }
  }

  private static float lo(int v) {
    return Float.intBitsToFloat(v << 16);
  }

  private static float hi(int v) {
    return Float.intBitsToFloat(v & 0xffff0000);
  }

  private static int pack(float l, float u) {
    return (Bf16.fromFloat(l) & 0xffff) | (Bf16.fromFloat(u) << 16);
  }

  private static void init1Encode(byte[] a, int ao, int h, byte[] dst, int o) {
    for (int c = 0; c < h; c += 2) {
      int va = (int) INTS.get(a, ao + 2 * c);
      INTS.set(dst, o + 2 * c, pack(0f + lo(va), 0f + hi(va)));
    }
  }

  private static void init2Encode(byte[] a, int ao, byte[] b, int bo, int h, byte[] dst, int o) {
    for (int c = 0; c < h; c += 2) {
      int va = (int) INTS.get(a, ao + 2 * c);
      int vb = (int) INTS.get(b, bo + 2 * c);
      INTS.set(dst, o + 2 * c, pack((0f + lo(va)) + lo(vb), (0f + hi(va)) + hi(vb)));
    }
  }

  private static void init1(byte[] a, int ao, float[] acc, int h) {
    for (int c = 0; c < h; c += 2) {
      int va = (int) INTS.get(a, ao + 2 * c);
      acc[c] = 0f + lo(va);
      acc[c + 1] = 0f + hi(va);
    }
  }

  private static void init2(byte[] a, int ao, byte[] b, int bo, float[] acc, int h) {
    for (int c = 0; c < h; c += 2) {
      int va = (int) INTS.get(a, ao + 2 * c);
      int vb = (int) INTS.get(b, bo + 2 * c);
      acc[c] = (0f + lo(va)) + lo(vb);
      acc[c + 1] = (0f + hi(va)) + hi(vb);
    }
  }

  private static void add1Encode(byte[] a, int ao, float[] acc, int h, byte[] dst, int o) {
    for (int c = 0; c < h; c += 2) {
      int va = (int) INTS.get(a, ao + 2 * c);
      INTS.set(dst, o + 2 * c, pack(acc[c] + lo(va), acc[c + 1] + hi(va)));
    }
  }

  private static void add2Encode(byte[] a, int ao, byte[] b, int bo, float[] acc, int h, byte[] dst, int o) {
    for (int c = 0; c < h; c += 2) {
      int va = (int) INTS.get(a, ao + 2 * c);
      int vb = (int) INTS.get(b, bo + 2 * c);
      INTS.set(dst, o + 2 * c, pack((acc[c] + lo(va)) + lo(vb), (acc[c + 1] + hi(va)) + hi(vb)));
    }
  }

  private static void add1(byte[] a, int ao, float[] acc, int h) {
    for (int c = 0; c < h; c += 2) {
      int va = (int) INTS.get(a, ao + 2 * c);
      acc[c] = acc[c] + lo(va);
      acc[c + 1] = acc[c + 1] + hi(va);
    }
  }

  private static void add2(byte[] a, int ao, byte[] b, int bo, float[] acc, int h) {
    for (int c = 0; c < h; c += 2) {
      int va = (int) INTS.get(a, ao + 2 * c);
      int vb = (int) INTS.get(b, bo + 2 * c);
      acc[c] = (acc[c] + lo(va)) + lo(vb);
      acc[c + 1] = (acc[c + 1] + hi(va)) + hi(vb);
    }
  }
}
