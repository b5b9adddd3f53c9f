package io.epruntime.rank.backend.nccl;

import io.epruntime.nativeep.DispatchView;
import io.epruntime.nativeep.EpGroupConfig;
import io.epruntime.nativeep.GroupBuffers;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.tensor.Tensor;
import io.epruntime.rank.gpu.GpuDevice;
import io.epruntime.rank.gpu.GpuDevice.DeviceMemory;
import io.epruntime.rank.gpu.GpuDevice.PinnedBuffer;
import io.epruntime.rank.gpu.GpuDevice.Stream;
import java.nio.ByteBuffer;

/**
 * Page-locked host copies of one step's inputs and outputs, and the async copies between them and
 * the group's device buffers. One step at a time uses it (the backend chains steps).
 */
final class StepStaging {
  private final EpGroupConfig cfg;
  private final int rowBytes;
  private final int scaleBytes;
  private final int combineRowBytes;
  private final PinnedBuffer in;
  private final PinnedBuffer out;
  private final long scalesAt;
  private final long idxAt;
  private final long weightsAt;
  private final long errorAt;
  private final long countsAt;
  private final long llCountsAt;

  StepStaging(GpuDevice gpu, EpGroupConfig cfg) {
    this.cfg = cfg;
    long t = cfg.maxTokensPerRank();
    int h = cfg.hidden();
    this.rowBytes = h * cfg.dtype().bytesPerElement();
    this.scaleBytes = cfg.dtype() == DType.FP8_E4M3 ? (h / DType.FP8_SCALE_BLOCK) * 4 : 0;
    this.combineRowBytes = h * cfg.dtype().combineDType().bytesPerElement();
    this.scalesAt = t * rowBytes;
    this.idxAt = scalesAt + t * scaleBytes;
    this.weightsAt = idxAt + t * cfg.topk() * 8L;
    this.in = gpu.allocPinned(weightsAt + t * cfg.topk() * 4L);
    int local = cfg.experts() / cfg.worldSize();
    this.errorAt = t * combineRowBytes;
    this.countsAt = errorAt + 8;
    this.llCountsAt = countsAt + (long) cfg.worldSize() * (1 + local) * 4;
    this.out = gpu.allocPinned(llCountsAt + (long) cfg.worldSize() * local * 4);
  }

  /** Writes x and the routing into pinned memory and queues their copies to the device. */
  void upload(GpuDevice gpu, DeviceMemory ws, GroupBuffers b, Stream s, HiddenStates x, Routing r) {
    int tokens = x.tokens();
    ByteBuffer buf = in.buffer();
    buf.put(0, x.x().data(), 0, tokens * rowBytes);
    if (scaleBytes > 0) {
      buf.put((int) scalesAt, x.scales().data(), 0, tokens * scaleBytes);
    }
    long[] idx = r.topkIdx();
    float[] w = r.topkWeights();
    int n = tokens * cfg.topk();
    for (int i = 0; i < n; i++) {
      buf.putLong((int) idxAt + 8 * i, idx[i]);
      buf.putFloat((int) weightsAt + 4 * i, w[i]);
    }
    gpu.copyToDevice(ws, b.x(), in, 0, (long) tokens * rowBytes, s);
    gpu.copyToDevice(ws, b.xScales(), in, scalesAt, (long) tokens * scaleBytes, s);
    gpu.copyToDevice(ws, b.topkIdx(), in, idxAt, (long) tokens * cfg.topk() * 8, s);
    gpu.copyToDevice(ws, b.topkWeights(), in, weightsAt, (long) tokens * cfg.topk() * 4, s);
  }

  /** Queues the copies back: the combined rows, the error word and the receive counts. */
  void download(GpuDevice gpu, DeviceMemory ws, GroupBuffers b, DispatchView v, Stream s, int tokens) {
    int local = cfg.experts() / cfg.worldSize();
    gpu.copyToHost(out, 0, ws, b.combined(), (long) tokens * combineRowBytes, s);
    gpu.copyToHost(out, errorAt, ws, b.errorWord(), 4, s);
    gpu.copyToHost(out, countsAt, ws, v.recvCounts(), (long) cfg.worldSize() * (1 + local) * 4, s);
    gpu.copyToHost(out, llCountsAt, ws, v.llRecvCounts(), (long) cfg.worldSize() * local * 4, s);
  }

  /** The combined rows, copied out of pinned memory (valid once the stream passed the download). */
  HiddenStates combined(int tokens) {
    Tensor t = Tensor.allocate(cfg.dtype().combineDType(), tokens, cfg.hidden());
    t.data().put(0, out.buffer(), 0, tokens * combineRowBytes);
    return HiddenStates.of(t);
  }

  int errorWord() {
    return out.buffer().getInt((int) errorAt);
  }

  /** Rows received in the HT dispatch (sum over sources), or pairs in the LL dispatch. */
  long receivedRows(boolean lowLatency) {
    int local = cfg.experts() / cfg.worldSize();
    long rows = 0;
    for (int s = 0; s < cfg.worldSize(); s++) {
      if (lowLatency) {
        for (int l = 0; l < local; l++) {
          rows += out.buffer().getInt((int) (llCountsAt + 4L * (s * local + l)));
        }
      } else {
        rows += out.buffer().getInt((int) (countsAt + 4L * s * (1 + local)));
      }
    }
    return rows;
  }

  int rowBytes() {
    return rowBytes;
  }

  int combineRowBytes() {
    return combineRowBytes;
  }

  void free(GpuDevice gpu) {
    gpu.freePinned(in);
    gpu.freePinned(out);
  }
}
