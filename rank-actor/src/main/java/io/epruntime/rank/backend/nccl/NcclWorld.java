package io.epruntime.rank.backend.nccl;

import io.epruntime.nativeep.DispatchView;
import io.epruntime.nativeep.EpGroup;
import io.epruntime.nativeep.EpGroupConfig;
import io.epruntime.nativeep.GroupBuffers;
import io.epruntime.rank.gpu.GpuDevice;
import io.epruntime.rank.gpu.GpuDevice.DeviceMemory;

/**
 * One generation on this rank's GPU: the native group with its communicator, the device workspace
 * and the pinned staging. Touched only on the GPU thread.
 */
final class NcclWorld {
  final long generation;
  final EpGroupConfig config;
  final EpGroup group;
  final DeviceMemory workspace;
  final StepStaging staging;
  final GroupBuffers buffers;
  final DispatchView view;
  boolean ready;
  String swigluKey;
  DeviceMemory swigluWeights;

  private NcclWorld(long generation, EpGroupConfig config, EpGroup group, DeviceMemory workspace, StepStaging staging) {
    this.generation = generation;
    this.config = config;
    this.group = group;
    this.workspace = workspace;
    this.staging = staging;
    this.buffers = group.buffers();
    this.view = group.view();
  }

  /** Allocates everything for a generation and starts its (non-blocking) communicator. */
  static NcclWorld start(GpuDevice gpu, GpuDevice.Stream stream, long generation, EpGroupConfig cfg, byte[] uniqueId) {
    long bytes = cfg.workspaceBytes();
    DeviceMemory ws = gpu.alloc(bytes);
    EpGroup group = null;
    try {
      group = EpGroup.create(cfg, ws.address(), bytes, stream.handle());
      NcclWorld w = new NcclWorld(generation, cfg, group, ws, new StepStaging(gpu, cfg));
      group.commInit(uniqueId);
      return w;
    } catch (RuntimeException e) {
      if (group != null) {
        group.close();
      }
      gpu.free(ws);
      throw e;
    }
  }

  /** Aborts the communicator, waits for the stream to drain (a blocking wait) and frees all. */
  void close(GpuDevice gpu, GpuDevice.Stream stream) {
    group.abort();
    jcuda.driver.JCudaDriver.cuStreamSynchronize(stream.stream());
    group.close();
    staging.free(gpu);
    if (swigluWeights != null) {
      gpu.free(swigluWeights);
    }
    gpu.free(workspace);
  }
}
