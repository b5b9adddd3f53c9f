package io.epruntime.engine;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** LL dispatch, the experts on the expert-major layout, and LL combine for one rank. */
final class LlExchange {
  private final EpConfig config;
  private final int rank;
  private final PayloadAllocator allocator;
  private final DType combineDType;

  LlExchange(EpConfig config, int rank, PayloadAllocator allocator) {
    this.config = config;
    this.rank = rank;
    this.allocator = allocator;
    this.combineDType = config.dtype().combineDType();
  }

  ByteBuffer[] dispatchSend(HiddenStates x, Routing routing) {
    config.validate(x, routing);
    checkCapacity(x.tokens(), "x");
    int n = config.worldSize();
    int k = config.topk();
    long[] idx = routing.topkIdx();
    int[] pairs = new int[n];
    for (long e : idx) {
      if (e >= 0) {
        pairs[config.rankOf(e)]++;
      }
    }
    int h = config.hidden();
    int rowBytes = x.x().rowBytes();
    int scaleBytes = Wire.scaleBytes(config.dtype(), h);
    ByteBuffer src = x.x().data();
    ByteBuffer srcScales = x.scales() == null ? null : x.scales().data();
    ByteBuffer[] out = new ByteBuffer[n];
    int[][] local = new int[n][];
    int[][] token = new int[n][];
    for (int d = 0; d < n; d++) {
      out[d] = Wire.allocate(allocator, Wire.HEADER_BYTES + (long) pairs[d] * (8 + rowBytes + scaleBytes));
      Wire.writeHeader(out[d], new Wire.Header(Wire.LL_DISPATCH, rank, d, pairs[d], h, config.dtype(), 0, k, x.tokens()));
      local[d] = new int[pairs[d]];
      token[d] = new int[pairs[d]];
    }
    int[] filled = new int[n];
    for (int t = 0; t < x.tokens(); t++) {
      for (int s = 0; s < k; s++) {
        long e = idx[t * k + s];
        if (e < 0) {
          continue;
        }
        int d = config.rankOf(e);
        int i = filled[d]++;
        local[d][i] = (int) (e - config.firstExpertOf(d));
        token[d][i] = t;
        int rowsOff = Wire.HEADER_BYTES + 8 * pairs[d];
        out[d].put(rowsOff + i * rowBytes, src, t * rowBytes, rowBytes);
        if (srcScales != null) {
          out[d].put(rowsOff + pairs[d] * rowBytes + i * scaleBytes, srcScales, t * scaleBytes, scaleBytes);
        }
      }
    }
    for (int d = 0; d < n; d++) {
      Wire.putInts(out[d], Wire.HEADER_BYTES, local[d], pairs[d]);
      Wire.putInts(out[d], Wire.HEADER_BYTES + 4 * pairs[d], token[d], pairs[d]);
    }
    return out;
  }

  LlDispatchResult dispatchReceive(ByteBuffer[] fromSource) {
    int n = config.worldSize();
    int m = config.llMaxTokensPerRank();
    int h = config.hidden();
    int localExperts = config.localExperts();
    checkCapacity(0, "fromSource");
    ByteBuffer[] p = Payloads.normalize(fromSource, n, "fromSource");
    HiddenStates recvX = HiddenStates.zeros(config.dtype(), localExperts * n * m, h);
    int[] srcInfo = new int[localExperts * n * m];
    Arrays.fill(srcInfo, -1);
    int[] counts = new int[localExperts * n];
    int[] recvCount = new int[localExperts];
    int rowBytes = recvX.x().rowBytes();
    int scaleBytes = Wire.scaleBytes(config.dtype(), h);
    ByteBuffer dst = recvX.x().data();
    ByteBuffer dstScales = recvX.scales() == null ? null : recvX.scales().data();
    for (int s = 0; s < n; s++) {
      DispatchPairs d = readDispatchPairs(p[s], s, rowBytes, scaleBytes);
      int pairs = d.local().length;
      int[] local = d.local();
      int[] token = d.token();
      int rowsOff = Wire.HEADER_BYTES + 8 * pairs;
      for (int i = 0; i < pairs; i++) {
        int l = local[i];
        int slot = l * n * m + s * m + counts[l * n + s]++;
        srcInfo[slot] = token[i];
        recvCount[l]++;
        dst.put(slot * rowBytes, p[s], rowsOff + i * rowBytes, rowBytes);
        if (dstScales != null) {
          dstScales.put(slot * scaleBytes, p[s], rowsOff + pairs * rowBytes + i * scaleBytes, scaleBytes);
        }
      }
    }
    return new LlDispatchResult(recvX, recvCount, srcInfo, new LlHandle(rank, n, localExperts, m, counts));
  }

  HiddenStates experts(LlDispatchResult d, ExpertKernel kernel) {
    LlHandle handle = checkResult(d);
    int h = config.hidden();
    HiddenStates out = HiddenStates.zeros(combineDType, d.recvX().tokens(), h);
    ByteBuffer src = d.recvX().x().data();
    ByteBuffer scales = d.recvX().scales() == null ? null : d.recvX().scales().data();
    int rowBytes = d.recvX().x().rowBytes();
    int scaleBytes = Wire.scaleBytes(config.dtype(), h);
    float[] in = new float[h];
    float[] y = new float[h];
    for (int l = 0; l < handle.localExperts(); l++) {
      for (int s = 0; s < handle.worldSize(); s++) {
        for (int i = 0; i < handle.count(l, s); i++) {
          int row = handle.begin(l, s) + i;
          RowCodec.decode(config.dtype(), src, row * rowBytes, h, scales, row * scaleBytes, in);
          kernel.apply(config.firstExpertOf(rank) + l, in, y);
          RowCodec.encode(combineDType, y, h, out.x().data(), row * out.x().rowBytes());
        }
      }
    }
    return out;
  }

  ByteBuffer[] combineSend(LlDispatchResult d, HiddenStates expertOut) {
    LlHandle handle = checkResult(d);
    if (expertOut == null || expertOut.dtype() != combineDType || expertOut.hidden() != config.hidden()
        || expertOut.tokens() != d.recvX().tokens()) {
      throw new EpArgumentException("expertOut", "expertOut must be " + combineDType + " [" + d.recvX().tokens() + ", "
          + config.hidden() + "], got " + (expertOut == null ? "null" : expertOut.x()));
    }
    int n = config.worldSize();
    int rowBytes = expertOut.x().rowBytes();
    ByteBuffer src = expertOut.x().data();
    ByteBuffer[] out = new ByteBuffer[n];
    for (int s = 0; s < n; s++) {
      int pairs = 0;
      for (int l = 0; l < handle.localExperts(); l++) {
        pairs += handle.count(l, s);
      }
      ByteBuffer p = Wire.allocate(allocator, Wire.HEADER_BYTES + (long) pairs * (8 + rowBytes));
      Wire.writeHeader(p, new Wire.Header(Wire.LL_COMBINE, rank, s, pairs, config.hidden(), combineDType, 0, config.topk(), 0));
      int[] local = new int[pairs];
      int[] token = new int[pairs];
      int i = 0;
      int rowsOff = Wire.HEADER_BYTES + 8 * pairs;
      for (int l = 0; l < handle.localExperts(); l++) {
        int begin = handle.begin(l, s);
        int count = handle.count(l, s);
        p.put(rowsOff + i * rowBytes, src, begin * rowBytes, count * rowBytes);
        for (int j = 0; j < count; j++, i++) {
          local[i] = l;
          token[i] = d.srcInfo()[begin + j];
        }
      }
      Wire.putInts(p, Wire.HEADER_BYTES, local, pairs);
      Wire.putInts(p, Wire.HEADER_BYTES + 4 * pairs, token, pairs);
      out[s] = p;
    }
    return out;
  }

  /**
   * Dispatch receive, the experts and combine send in one pass, without the expert-major
   * {@code [localExperts, N * M, H]} layout: each received pair is decoded from its payload, run
   * through its expert and written straight into the payload going home. The combine payloads are
   * byte for byte those of {@link #dispatchReceive}, {@link #experts} and {@link #combineSend}
   * (pairs by local expert, then arrival order); the padded layout, which costs
   * {@code localExperts * N * M} zeroed rows per step, is never built. The cluster's cpu backend
   * uses this; the padded path stays for callers that want DeepEP's {@code recv_x}.
   */
  LlExpertPass expertsInPlace(ByteBuffer[] fromSource, ExpertKernel kernel) {
    int n = config.worldSize();
    int m = config.llMaxTokensPerRank();
    int h = config.hidden();
    int localExperts = config.localExperts();
    checkCapacity(0, "fromSource");
    ByteBuffer[] p = Payloads.normalize(fromSource, n, "fromSource");
    int inRowBytes = h * config.dtype().bytesPerElement();
    int outRowBytes = h * combineDType.bytesPerElement();
    int scaleBytes = Wire.scaleBytes(config.dtype(), h);
    float[] in = new float[h];
    float[] y = new float[h];
    ByteBuffer[] out = new ByteBuffer[n];
    long receivedPairs = 0;
    for (int s = 0; s < n; s++) {
      DispatchPairs d = readDispatchPairs(p[s], s, inRowBytes, scaleBytes);
      int pairs = d.local().length;
      int[] local = d.local();
      int[] token = d.token();
      int[] perExpert = new int[localExperts + 1];
      for (int i = 0; i < pairs; i++) {
        perExpert[local[i] + 1]++;
      }
      for (int l = 0; l < localExperts; l++) {
        perExpert[l + 1] += perExpert[l]; // start of each expert's pairs in the combine payload
      }
      ByteBuffer o = Wire.allocate(allocator, Wire.HEADER_BYTES + (long) pairs * (8 + outRowBytes));
      Wire.writeHeader(o, new Wire.Header(Wire.LL_COMBINE, rank, s, pairs, h, combineDType, 0, config.topk(), 0));
      int[] outLocal = new int[pairs];
      int[] outToken = new int[pairs];
      int inRows = Wire.HEADER_BYTES + 8 * pairs;
      int outRows = Wire.HEADER_BYTES + 8 * pairs;
      for (int i = 0; i < pairs; i++) {
        int l = local[i];
        int j = perExpert[l]++;
        outLocal[j] = l;
        outToken[j] = token[i];
        RowCodec.decode(config.dtype(), p[s], inRows + i * inRowBytes, h, p[s], inRows + pairs * inRowBytes + i * scaleBytes, in);
        kernel.apply(config.firstExpertOf(rank) + l, in, y);
        RowCodec.encode(combineDType, y, h, o, outRows + j * outRowBytes);
      }
      Wire.putInts(o, Wire.HEADER_BYTES, outLocal, pairs);
      Wire.putInts(o, Wire.HEADER_BYTES + 4 * pairs, outToken, pairs);
      out[s] = o;
      receivedPairs += pairs;
    }
    return new LlExpertPass(out, receivedPairs);
  }

  /** One LL dispatch payload's (local expert, source token) pairs, in arrival order. */
  private record DispatchPairs(int[] local, int[] token) {}

  /**
   * Reads and checks the header and pairs of the dispatch payload from rank {@code s}: every pair in
   * range, at most M pairs per local expert; errors name {@code fromSource[s]}.
   */
  private DispatchPairs readDispatchPairs(ByteBuffer p, int s, int rowBytes, int scaleBytes) {
    String arg = "fromSource[" + s + "]";
    int m = config.llMaxTokensPerRank();
    int localExperts = config.localExperts();
    Wire.Header hd = Wire.readHeader(p, arg, Wire.LL_DISPATCH, s, rank, config.hidden(), config.dtype());
    int pairs = hd.rows();
    Wire.requireBytes(p, Wire.HEADER_BYTES + (long) pairs * (8 + rowBytes + scaleBytes), arg);
    int[] local = Wire.getInts(p, Wire.HEADER_BYTES, pairs);
    int[] token = Wire.getInts(p, Wire.HEADER_BYTES + 4 * pairs, pairs);
    int tokenLimit = Math.min(hd.aux(), m);
    int[] perExpert = new int[localExperts];
    for (int i = 0; i < pairs; i++) {
      int l = local[i];
      if (l < 0 || l >= localExperts || token[i] < 0 || token[i] >= tokenLimit) {
        throw new EpArgumentException(arg, arg + " pair " + i + " = (local expert " + l + ", token " + token[i]
            + ") is outside [0, " + localExperts + ") x [0, " + tokenLimit + ")");
      }
      if (++perExpert[l] > m) {
        throw new EpArgumentException(arg, arg + " sends local expert " + l + " more than ep.ll-max-tokens-per-rank = " + m + " pairs");
      }
    }
    return new DispatchPairs(local, token);
  }

  private void checkCapacity(int tokens, String argument) {
    int m = config.llMaxTokensPerRank();
    if (m == 0 || tokens > m) {
      throw new EpArgumentException(argument, argument + " has " + tokens + " tokens but ep.ll-max-tokens-per-rank = " + m
          + (m == 0 ? " (LL is off)" : "; use HT for more"));
    }
  }

  private LlHandle checkResult(LlDispatchResult d) {
    if (d == null || d.handle().rank() != rank || d.recvX().hidden() != config.hidden()) {
      throw new EpArgumentException("d", "the LL dispatch result belongs to rank " + (d == null ? "none" : d.handle().rank())
          + ", not to rank " + rank);
    }
    return d.handle();
  }
}
