package io.epruntime.engine;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import java.nio.ByteBuffer;

/** Layout and the two halves of HT dispatch (fresh and cached) for one rank. */
final class HtDispatcher {
  private final EpConfig config;
  private final int rank;
  private final PayloadAllocator allocator;

  HtDispatcher(EpConfig config, int rank, PayloadAllocator allocator) {
    this.config = config;
    this.rank = rank;
    this.allocator = allocator;
  }

  DispatchLayout layout(Routing routing) {
    config.validate(routing);
    int n = config.worldSize();
    int k = config.topk();
    int[] perRank = new int[n];
    int[] perExpert = new int[config.experts()];
    boolean[] inRank = new boolean[routing.tokens() * n];
    long[] idx = routing.topkIdx();
    for (int t = 0; t < routing.tokens(); t++) {
      for (int s = 0; s < k; s++) {
        long e = idx[t * k + s];
        if (e < 0) {
          continue;
        }
        perExpert[(int) e]++;
        int r = config.rankOf(e);
        if (!inRank[t * n + r]) {
          inRank[t * n + r] = true;
          perRank[r]++;
        }
      }
    }
    return new DispatchLayout(perRank, perExpert, inRank);
  }

  ByteBuffer[] send(HiddenStates x, Routing routing) {
    config.validate(x, routing);
    DispatchLayout layout = layout(routing);
    int n = config.worldSize();
    int k = config.topk();
    int tokens = x.tokens();
    int[][] lists = HtHandle.tokensPerDestination(layout.tokenInRank(), tokens, n);
    ByteBuffer[] out = new ByteBuffer[n];
    for (int d = 0; d < n; d++) {
      int[] list = lists[d];
      int rows = list.length;
      boolean self = d == rank;
      long bytes = Wire.HEADER_BYTES + 4L * rows + 8L * rows * k + rowAndScaleBytes(rows)
          + (self ? (long) tokens * n : 0);
      ByteBuffer p = Wire.allocate(allocator, bytes);
      Wire.writeHeader(p, new Wire.Header(Wire.HT_DISPATCH, rank, d, rows, config.hidden(), config.dtype(),
          self ? Wire.FLAG_SENDER_LAYOUT : 0, k, tokens));
      int off = Wire.HEADER_BYTES;
      Wire.putInts(p, off, list, rows);
      off += 4 * rows;
      int[] localIdx = new int[rows * k];
      float[] weights = new float[rows * k];
      int first = config.firstExpertOf(d);
      int last = first + config.localExperts();
      for (int i = 0; i < rows; i++) {
        int t = list[i];
        for (int s = 0; s < k; s++) {
          long e = routing.topkIdx()[t * k + s];
          boolean here = e >= first && e < last;
          localIdx[i * k + s] = here ? (int) (e - first) : -1;
          weights[i * k + s] = here ? routing.topkWeights()[t * k + s] : 0f;
        }
      }
      Wire.putInts(p, off, localIdx, rows * k);
      off += 4 * rows * k;
      Wire.putFloats(p, off, weights, rows * k);
      off += 4 * rows * k;
      off = putRows(p, off, x, list);
      if (self) {
        boolean[] inRank = layout.tokenInRank();
        for (int i = 0; i < inRank.length; i++) {
          p.put(off + i, inRank[i] ? (byte) 1 : 0);
        }
      }
      out[d] = p;
    }
    return out;
  }

  HtDispatchResult receive(ByteBuffer[] fromSource) {
    int n = config.worldSize();
    int k = config.topk();
    ByteBuffer[] p = Payloads.normalize(fromSource, n, "fromSource");
    Wire.Header[] h = new Wire.Header[n];
    int[] prefix = new int[n + 1];
    for (int s = 0; s < n; s++) {
      h[s] = Wire.readHeader(p[s], "fromSource[" + s + "]", Wire.HT_DISPATCH, s, rank, config.hidden(), config.dtype());
      if (h[s].topk() != k) {
        throw new EpArgumentException("fromSource[" + s + "]", "fromSource[" + s + "] has K = " + h[s].topk() + " but ep.topk = " + k);
      }
      Wire.requireBytes(p[s], Wire.HEADER_BYTES + 4L * h[s].rows() * (1 + 2L * k) + rowAndScaleBytes(h[s].rows()),
          "fromSource[" + s + "]");
      prefix[s + 1] = prefix[s] + h[s].rows();
    }
    int total = prefix[n];
    HiddenStates recvX = HiddenStates.zeros(config.dtype(), total, config.hidden());
    int[] srcRank = new int[total];
    int[] srcToken = new int[total];
    int[] sourceTokens = new int[n];
    long[] recvIdx = new long[total * k];
    float[] recvWeights = new float[total * k];
    int[] perExpert = new int[config.localExperts()];
    boolean[] senderInRank = null;
    for (int s = 0; s < n; s++) {
      String arg = "fromSource[" + s + "]";
      int rows = h[s].rows();
      sourceTokens[s] = h[s].aux();
      int off = Wire.HEADER_BYTES;
      int[] tokens = Wire.getInts(p[s], off, rows);
      off += 4 * rows;
      int[] localIdx = Wire.getInts(p[s], off, rows * k);
      off += 4 * rows * k;
      float[] weights = Wire.getFloats(p[s], off, rows * k);
      off += 4 * rows * k;
      for (int i = 0; i < rows; i++) {
        Payloads.checkToken(tokens, i, h[s].aux(), arg);
        srcRank[prefix[s] + i] = s;
        srcToken[prefix[s] + i] = tokens[i];
      }
      for (int j = 0; j < rows * k; j++) {
        int l = localIdx[j];
        if (l < -1 || l >= config.localExperts()) {
          throw new EpArgumentException(arg, arg + " has local expert id " + l + " outside [-1, " + config.localExperts() + ")");
        }
        recvIdx[prefix[s] * k + j] = l;
        recvWeights[prefix[s] * k + j] = l < 0 ? 0f : weights[j];
        if (l >= 0) {
          perExpert[l]++;
        }
      }
      off = getRows(p[s], off, rows, recvX, prefix[s]);
      if (s == rank) {
        senderInRank = readSenderLayout(p[s], h[s], off, arg);
      }
    }
    for (int l = 0; l < perExpert.length; l++) {
      perExpert[l] = (perExpert[l] + config.alignment() - 1) / config.alignment() * config.alignment();
    }
    HtHandle handle = new HtHandle(rank, n, srcRank, srcToken, prefix, sourceTokens, h[rank].aux(), senderInRank);
    return new HtDispatchResult(recvX, recvIdx, recvWeights, perExpert, handle);
  }

  ByteBuffer[] cachedSend(HtHandle handle, HiddenStates x) {
    checkHandle(handle);
    checkRows(x, "x");
    if (x.tokens() != handle.senderTokens()) {
      throw new EpArgumentException("x", "x has " + x.tokens() + " tokens but the cached dispatch sent " + handle.senderTokens());
    }
    ByteBuffer[] out = new ByteBuffer[config.worldSize()];
    for (int d = 0; d < out.length; d++) {
      int[] list = handle.sendTokens(d);
      ByteBuffer p = Wire.allocate(allocator, Wire.HEADER_BYTES + rowAndScaleBytes(list.length));
      Wire.writeHeader(p, new Wire.Header(Wire.HT_CACHED_DISPATCH, rank, d, list.length, config.hidden(), config.dtype(),
          0, config.topk(), x.tokens()));
      putRows(p, Wire.HEADER_BYTES, x, list);
      out[d] = p;
    }
    return out;
  }

  HiddenStates cachedReceive(HtHandle handle, ByteBuffer[] fromSource) {
    checkHandle(handle);
    int n = config.worldSize();
    ByteBuffer[] p = Payloads.normalize(fromSource, n, "fromSource");
    int[] prefix = handle.rankPrefix();
    HiddenStates recvX = HiddenStates.zeros(config.dtype(), handle.recvRows(), config.hidden());
    for (int s = 0; s < n; s++) {
      String arg = "fromSource[" + s + "]";
      Wire.Header h = Wire.readHeader(p[s], arg, Wire.HT_CACHED_DISPATCH, s, rank, config.hidden(), config.dtype());
      if (h.rows() != prefix[s + 1] - prefix[s] || h.aux() != handle.sourceTokens()[s]) {
        throw new EpArgumentException(arg, arg + " carries " + h.rows() + " rows of " + h.aux()
            + " tokens, but the handle expects " + (prefix[s + 1] - prefix[s]) + " of " + handle.sourceTokens()[s]);
      }
      Wire.requireBytes(p[s], Wire.HEADER_BYTES + rowAndScaleBytes(h.rows()), arg);
      getRows(p[s], Wire.HEADER_BYTES, h.rows(), recvX, prefix[s]);
    }
    return recvX;
  }

  private long rowAndScaleBytes(int rows) {
    return (long) rows * (config.hidden() * config.dtype().bytesPerElement() + Wire.scaleBytes(config.dtype(), config.hidden()));
  }

  /** Copies the listed rows of x (then their scales) to p from byte off; returns the end offset. */
  private int putRows(ByteBuffer p, int off, HiddenStates x, int[] list) {
    int rowBytes = x.x().rowBytes();
    ByteBuffer src = x.x().data();
    for (int i = 0; i < list.length; i++) {
      p.put(off + i * rowBytes, src, list[i] * rowBytes, rowBytes);
    }
    off += list.length * rowBytes;
    if (x.scales() != null) {
      int scaleBytes = x.scales().rowBytes();
      ByteBuffer scales = x.scales().data();
      for (int i = 0; i < list.length; i++) {
        p.put(off + i * scaleBytes, scales, list[i] * scaleBytes, scaleBytes);
      }
      off += list.length * scaleBytes;
    }
    return off;
  }

  /** Copies rows (then scales) from p at off into dst from row firstRow; returns the end offset. */
  private static int getRows(ByteBuffer p, int off, int rows, HiddenStates dst, int firstRow) {
    int rowBytes = dst.x().rowBytes();
    dst.x().data().put(firstRow * rowBytes, p, off, rows * rowBytes);
    off += rows * rowBytes;
    if (dst.scales() != null) {
      int scaleBytes = dst.scales().rowBytes();
      dst.scales().data().put(firstRow * scaleBytes, p, off, rows * scaleBytes);
      off += rows * scaleBytes;
    }
    return off;
  }

  private boolean[] readSenderLayout(ByteBuffer p, Wire.Header h, int off, String arg) {
    if ((h.flags() & Wire.FLAG_SENDER_LAYOUT) == 0) {
      throw new EpArgumentException(arg, arg + " is this rank's own payload but lacks the sender layout");
    }
    int n = config.worldSize();
    Wire.requireBytes(p, off + (long) h.aux() * n, arg);
    boolean[] inRank = new boolean[h.aux() * n];
    for (int i = 0; i < inRank.length; i++) {
      inRank[i] = p.get(off + i) != 0;
    }
    return inRank;
  }

  private void checkHandle(HtHandle handle) {
    if (handle == null || handle.rank() != rank || handle.worldSize() != config.worldSize()) {
      throw new EpArgumentException("handle", "handle belongs to rank " + (handle == null ? "none" : handle.rank())
          + " but this is rank " + rank + " of " + config.worldSize());
    }
  }

  private void checkRows(HiddenStates x, String argument) {
    DType dtype = config.dtype();
    if (x == null || x.dtype() != dtype || x.hidden() != config.hidden()) {
      throw new EpArgumentException(argument, argument + " must be " + dtype + " x " + config.hidden()
          + ", got " + (x == null ? "null" : x.dtype() + " x " + x.hidden()));
    }
  }
}
