package io.epruntime.engine;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.tensor.HiddenStates;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** The local expert reduce and the two halves of HT combine for one rank. */
final class HtCombiner {
  private final EpConfig config;
  private final int rank;
  private final PayloadAllocator allocator;
  private final DType combineDType;

  HtCombiner(EpConfig config, int rank, PayloadAllocator allocator) {
    this.config = config;
    this.rank = rank;
    this.allocator = allocator;
    this.combineDType = config.dtype().combineDType();
  }

  HiddenStates expertsAndLocalReduce(HtDispatchResult d, ExpertKernel kernel) {
    checkResult(d);
    int h = config.hidden();
    int k = config.topk();
    int rows = d.recvRows();
    int first = config.firstExpertOf(rank);
    HiddenStates out = HiddenStates.zeros(combineDType, rows, h);
    ByteBuffer src = d.recvX().x().data();
    ByteBuffer scales = d.recvX().scales() == null ? null : d.recvX().scales().data();
    int rowBytes = d.recvX().x().rowBytes();
    int scaleRowBytes = Wire.scaleBytes(config.dtype(), h);
    ByteBuffer dst = out.x().data();
    float[] in = new float[h];
    float[] y = new float[h];
    float[] acc = new float[h];
    for (int r = 0; r < rows; r++) {
      RowCodec.decode(config.dtype(), src, r * rowBytes, h, scales, r * scaleRowBytes, in);
      Arrays.fill(acc, 0f);
      for (int s = 0; s < k; s++) {
        long l = d.recvTopkIdx()[r * k + s];
        if (l < 0) {
          continue;
        }
        float w = d.recvTopkWeights()[r * k + s];
        kernel.apply(first + (int) l, in, y);
        for (int c = 0; c < h; c++) {
          acc[c] = Math.fma(w, y[c], acc[c]);
        }
      }
      RowCodec.encode(combineDType, acc, h, dst, r * out.x().rowBytes());
    }
    return out;
  }

  ByteBuffer[] send(HtDispatchResult d, HiddenStates reducedRows) {
    checkResult(d);
    if (reducedRows == null || reducedRows.dtype() != combineDType || reducedRows.hidden() != config.hidden()
        || reducedRows.tokens() != d.recvRows()) {
      throw new EpArgumentException("reducedRows", "reducedRows must be " + combineDType + " [" + d.recvRows() + ", "
          + config.hidden() + "], got " + (reducedRows == null ? "null" : reducedRows.x()));
    }
    HtHandle handle = d.handle();
    int[] prefix = handle.rankPrefix();
    int rowBytes = reducedRows.x().rowBytes();
    ByteBuffer src = reducedRows.x().data();
    ByteBuffer[] out = new ByteBuffer[config.worldSize()];
    for (int s = 0; s < out.length; s++) {
      int rows = prefix[s + 1] - prefix[s];
      ByteBuffer p = Wire.allocate(allocator, Wire.HEADER_BYTES + 4L * rows + (long) rows * rowBytes);
      Wire.writeHeader(p, new Wire.Header(Wire.HT_COMBINE, rank, s, rows, config.hidden(), combineDType, 0,
          config.topk(), handle.sourceTokens()[s]));
      int[] tokens = Arrays.copyOfRange(handle.recvSrcToken(), prefix[s], prefix[s + 1]);
      Wire.putInts(p, Wire.HEADER_BYTES, tokens, rows);
      p.put(Wire.HEADER_BYTES + 4 * rows, src, prefix[s] * rowBytes, rows * rowBytes);
      out[s] = p;
    }
    return out;
  }

  /**
   * Walks the original tokens in order with one cursor per sending rank, so each token's rows are
   * summed in ascending rank order into one H-float accumulator that stays in cache.
   */
  HiddenStates receive(ByteBuffer[] fromRank, HiddenStates biasOrNull) {
    int n = config.worldSize();
    int h = config.hidden();
    ByteBuffer[] p = Payloads.normalize(fromRank, n, "fromRank");
    int[][] tokens = new int[n][];
    int[] rowsAt = new int[n];
    int tokenCount = -1;
    int rowBytes = h * combineDType.bytesPerElement();
    for (int r = 0; r < n; r++) {
      String arg = "fromRank[" + r + "]";
      Wire.Header hd = Wire.readHeader(p[r], arg, Wire.HT_COMBINE, r, rank, h, combineDType);
      if (tokenCount >= 0 && hd.aux() != tokenCount) {
        throw new EpArgumentException(arg, arg + " says this rank had " + hd.aux() + " tokens, another payload said " + tokenCount);
      }
      tokenCount = hd.aux();
      Wire.requireBytes(p[r], Wire.HEADER_BYTES + (long) hd.rows() * (4 + rowBytes), arg);
      tokens[r] = Wire.getInts(p[r], Wire.HEADER_BYTES, hd.rows());
      for (int i = 0; i < hd.rows(); i++) {
        Payloads.checkToken(tokens[r], i, hd.aux(), arg);
      }
      rowsAt[r] = Wire.HEADER_BYTES + 4 * hd.rows();
    }
    if (biasOrNull != null && (biasOrNull.dtype() != combineDType || biasOrNull.hidden() != h
        || biasOrNull.tokens() != tokenCount)) {
      throw new EpArgumentException("bias", "bias must be " + combineDType + " [" + tokenCount + ", " + h + "], got "
          + biasOrNull.x());
    }
    HiddenStates out = HiddenStates.zeros(combineDType, tokenCount, h);
    ByteBuffer dst = out.x().data();
    ByteBuffer bias = biasOrNull == null ? null : biasOrNull.x().data();
    int[] cursor = new int[n];
    float[] acc = new float[h];
    for (int t = 0; t < tokenCount; t++) {
      Arrays.fill(acc, 0f);
      for (int r = 0; r < n; r++) {
        int i = cursor[r];
        if (i < tokens[r].length && tokens[r][i] == t) {
          RowCodec.accumulate(combineDType, p[r], rowsAt[r] + i * rowBytes, h, acc);
          cursor[r] = i + 1;
        }
      }
      if (bias != null) {
        RowCodec.accumulate(combineDType, bias, t * rowBytes, h, acc);
      }
      RowCodec.encode(combineDType, acc, h, dst, t * rowBytes);
    }
    return out;
  }

  private void checkResult(HtDispatchResult d) {
    if (d == null || d.handle().rank() != rank || d.recvX().hidden() != config.hidden()) {
      throw new EpArgumentException("d", "the dispatch result belongs to rank " + (d == null ? "none" : d.handle().rank())
          + ", not to rank " + rank);
    }
  }
}
