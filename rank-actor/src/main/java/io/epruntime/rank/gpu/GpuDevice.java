package io.epruntime.rank.gpu;

import io.epruntime.protocol.EpArgumentException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUctx_flags;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * One GPU, owned by one thread ({@code ep-gpu-<ordinal>}) on which the device's primary context is
 * current: every CUDA call for the device runs there, through {@link #call} / {@link #execute}.
 * Buffers, streams and events are JCuda objects; their raw addresses go to native-ep as longs.
 * Only built after {@link GpuProbe#probe()} found a GPU.
 */
public final class GpuDevice implements AutoCloseable {
  private final int ordinal;
  private final ExecutorService thread;
  private final List<CUdeviceptr> allocations = new ArrayList<>();
  private final List<Pointer> pinned = new ArrayList<>();
  private final List<CUstream> streams = new ArrayList<>();
  private CUdevice device;
  private String name;
  private String busId;
  private volatile Thread owner;

  private GpuDevice(int ordinal) {
    this.ordinal = ordinal;
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ep-gpu-" + ordinal);
      t.setDaemon(true);
      return t;
    });
  }

  /** Opens device {@code ordinal} with its primary context (blocking sync: waiting threads sleep). */
  public static GpuDevice open(int ordinal) {
    GpuProbe.Result probe = GpuProbe.probe();
    if (!probe.available()) {
      throw new IllegalStateException("no GPU: " + probe.reason());
    }
    EpArgumentException.require(ordinal >= 0 && ordinal < probe.deviceCount(), "ep.gpu.device", ordinal,
        "0.." + (probe.deviceCount() - 1) + " (devices the driver sees)");
    GpuDevice d = new GpuDevice(ordinal);
    d.call(() -> {
      d.owner = Thread.currentThread();
      JCudaDriver.setExceptionsEnabled(true);
      d.device = new CUdevice();
      JCudaDriver.cuDeviceGet(d.device, ordinal);
      try {
        JCudaDriver.cuDevicePrimaryCtxSetFlags(d.device, CUctx_flags.CU_CTX_SCHED_BLOCKING_SYNC);
      } catch (RuntimeException alreadyActive) {
        // Someone (native-ep's runtime, another library) activated it first; keep its flags.
      }
      CUcontext ctx = new CUcontext();
      JCudaDriver.cuDevicePrimaryCtxRetain(ctx, d.device);
      JCudaDriver.cuCtxSetCurrent(ctx);
      byte[] n = new byte[256];
      JCudaDriver.cuDeviceGetName(n, n.length, d.device);
      d.name = new String(n, java.nio.charset.StandardCharsets.US_ASCII).replace("\0", "").trim();
      String[] bus = new String[1];
      JCudaDriver.cuDeviceGetPCIBusId(bus, 64, d.device);
      d.busId = bus[0] == null ? "" : bus[0].trim();
      return null;
    }).join();
    return d;
  }

  public int ordinal() {
    return ordinal;
  }

  public String name() {
    return name;
  }

  /** The GPU's PCI bus id ({@code 0000:19:00.0}): ranks with equal ids share one GPU. */
  public String busId() {
    return busId;
  }

  /** Runs {@code work} on the device's thread. */
  public <T> CompletableFuture<T> call(Callable<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return work.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, thread);
  }

  public void execute(Runnable work) {
    thread.execute(work);
  }

  /** Device memory; {@code address} is what native-ep takes. */
  public record DeviceMemory(CUdeviceptr pointer, long address, long bytes) {
    /** A JCuda pointer at {@code address} inside this allocation. */
    public CUdeviceptr at(long addr) {
      return pointer.withByteOffset(addr - address);
    }
  }

  /** A stream and its raw {@code CUstream} handle. */
  public record Stream(CUstream stream, long handle) {}

  /** Page-locked host memory (async copies need it). */
  public record PinnedBuffer(Pointer pointer, ByteBuffer buffer, long bytes) {}

  public DeviceMemory alloc(long bytes) {
    checkThread();
    CUdeviceptr p = new CUdeviceptr();
    JCudaDriver.cuMemAlloc(p, Math.max(bytes, 256));
    allocations.add(p);
    return new DeviceMemory(p, NativeAddress.of(p), bytes);
  }

  public void free(DeviceMemory m) {
    checkThread();
    if (allocations.remove(m.pointer())) {
      JCudaDriver.cuMemFree(m.pointer());
    }
  }

  public Stream newStream() {
    checkThread();
    CUstream s = new CUstream();
    JCudaDriver.cuStreamCreate(s, CUstream_flags.CU_STREAM_NON_BLOCKING);
    streams.add(s);
    return new Stream(s, NativeAddress.of(s));
  }

  public PinnedBuffer allocPinned(long bytes) {
    checkThread();
    Pointer p = new Pointer();
    JCudaDriver.cuMemHostAlloc(p, Math.max(bytes, 64), 0);
    pinned.add(p);
    ByteBuffer b = p.getByteBuffer(0, Math.max(bytes, 64)).order(ByteOrder.LITTLE_ENDIAN);
    return new PinnedBuffer(p, b, bytes);
  }

  public void freePinned(PinnedBuffer b) {
    checkThread();
    if (pinned.remove(b.pointer())) {
      JCudaDriver.cuMemFreeHost(b.pointer());
    }
  }

  public void copyToDevice(DeviceMemory base, long address, PinnedBuffer src, long offset, long bytes, Stream s) {
    if (bytes > 0) {
      JCudaDriver.cuMemcpyHtoDAsync(base.at(address), src.pointer().withByteOffset(offset), bytes, s.stream());
    }
  }

  public void copyToHost(PinnedBuffer dst, long offset, DeviceMemory base, long address, long bytes, Stream s) {
    if (bytes > 0) {
      JCudaDriver.cuMemcpyDtoHAsync(dst.pointer().withByteOffset(offset), base.at(address), bytes, s.stream());
    }
  }

  public void zero32(DeviceMemory base, long address, long words, Stream s) {
    JCudaDriver.cuMemsetD32Async(base.at(address), 0, words, s.stream());
  }

  /** An event with timing; its waiters block (no spin) since the context uses blocking sync. */
  public CUevent newEvent() {
    CUevent e = new CUevent();
    JCudaDriver.cuEventCreate(e, CUevent_flags.CU_EVENT_BLOCKING_SYNC);
    return e;
  }

  public void record(CUevent e, Stream s) {
    JCudaDriver.cuEventRecord(e, s.stream());
  }

  /** Milliseconds between two completed events. */
  public float elapsedMs(CUevent from, CUevent to) {
    float[] ms = new float[1];
    JCudaDriver.cuEventElapsedTime(ms, from, to);
    return ms[0];
  }

  @Override
  public void close() {
    call(() -> {
      for (CUstream s : streams) {
        JCudaDriver.cuStreamSynchronize(s);
        JCudaDriver.cuStreamDestroy(s);
      }
      streams.clear();
      for (CUdeviceptr p : allocations) {
        JCudaDriver.cuMemFree(p);
      }
      allocations.clear();
      for (Pointer p : pinned) {
        JCudaDriver.cuMemFreeHost(p);
      }
      pinned.clear();
      JCudaDriver.cuDevicePrimaryCtxRelease(device);
      return null;
    }).whenComplete((v, e) -> thread.shutdown());
  }

  private void checkThread() {
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException("GPU " + ordinal + " is driven from " + owner + ", not " + Thread.currentThread());
    }
  }
}
