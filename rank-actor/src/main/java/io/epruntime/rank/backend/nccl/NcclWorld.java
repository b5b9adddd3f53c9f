package io.epruntime.rank.backend.nccl;

import io.epruntime.nativeep.DispatchView;
import io.epruntime.nativeep.EpGroup;
import io.epruntime.nativeep.EpGroupConfig;
import io.epruntime.nativeep.EpGroupConfig.DataPath;
import io.epruntime.nativeep.GroupBuffers;
import io.epruntime.nativeep.NativeEpException;
import io.epruntime.nativeep.NativeEpLibrary;
import io.epruntime.rank.gpu.GpuDevice;
import io.epruntime.rank.gpu.GpuDevice.DeviceMemory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One generation on this rank's GPU: the native group over its device workspace, the pinned
 * staging, and either the peer windows it mapped (ranks on one host) or its NCCL communicator.
 * Touched only on the GPU thread.
 */
final class NcclWorld {
  final long generation;
  final EpGroupConfig config;
  final EpGroup group;
  final DeviceMemory workspace;
  final StepStaging staging;
  final GroupBuffers buffers;
  final DispatchView view;
  final byte[] uniqueId;
  boolean ready;
  String swigluKey;
  DeviceMemory swigluWeights;
  /** Peers' workspaces this world mapped through CUDA IPC (unmapped when it closes). */
  private final List<Long> mapped = new ArrayList<>();
  /** Why this rank's workspace has no IPC handle (null: it has one). */
  String ipcUnavailable;

  private NcclWorld(long generation, EpGroupConfig config, EpGroup group, DeviceMemory workspace, StepStaging staging,
      byte[] uniqueId) {
    this.generation = generation;
    this.config = config;
    this.group = group;
    this.workspace = workspace;
    this.staging = staging;
    this.buffers = group.buffers();
    this.view = group.view();
    this.uniqueId = uniqueId;
  }

  /** Allocates everything for a generation; an NCCL path also starts its (non-blocking) communicator. */
  static NcclWorld start(GpuDevice gpu, GpuDevice.Stream stream, long generation, EpGroupConfig cfg, byte[] uniqueId) {
    long bytes = cfg.workspaceBytes();
    DeviceMemory ws = gpu.alloc(bytes);
    EpGroup group = null;
    try {
      group = EpGroup.create(cfg, ws.address(), bytes, stream.handle());
      NcclWorld w = new NcclWorld(generation, cfg, group, ws, new StepStaging(gpu, cfg), uniqueId);
      if (cfg.path() != DataPath.PEER_WINDOWS) {
        group.commInit(uniqueId);
      }
      return w;
    } catch (RuntimeException e) {
      if (group != null) {
        group.close();
      }
      gpu.free(ws);
      throw e;
    }
  }

  /** This rank's window: what every other rank needs to map its workspace. */
  PeerWindow window(GpuDevice gpu) {
    byte[] handle;
    try {
      handle = NativeEpLibrary.ipcHandle(workspace.address());
    } catch (NativeEpException e) {
      // Ranks in this process can still use the address; a peer in another process will say why it cannot.
      handle = new byte[0];
      ipcUnavailable = e.getMessage();
    }
    return new PeerWindow(generation, config.rank(), HostIdentity.current(), ProcessHandle.current().pid(), gpu.busId(),
        handle, workspace.address(), workspace.bytes());
  }

  /**
   * Maps every peer's workspace (the address itself in this process, else through CUDA IPC) and
   * arms the peer path. Blocks once, briefly, while the group clears its barrier flags.
   */
  void connectPeers(List<PeerWindow> windows, Duration timeout) {
    PeerWindow mine = windows.get(config.rank());
    long[] bases = new long[windows.size()];
    for (int r = 0; r < bases.length; r++) {
      PeerWindow w = windows.get(r);
      if (r == config.rank()) {
        bases[r] = workspace.address();
      } else if (w.sameProcessAs(mine)) {
        bases[r] = w.base();
      } else if (w.ipcHandle().length == 0) {
        throw new NativeEpException(NativeEpException.CUDA, "rank " + r + " (pid " + w.pid()
            + ") could not export its workspace through CUDA IPC, so this process cannot map it");
      } else {
        bases[r] = NativeEpLibrary.ipcOpen(w.ipcHandle());
        mapped.add(bases[r]);
      }
    }
    group.setPeers(bases, timeout.toNanos());
  }

  /** Aborts the communicator, waits for the stream to drain (a blocking wait) and frees all. */
  void close(GpuDevice gpu, GpuDevice.Stream stream) {
    group.abort();
    jcuda.driver.JCudaDriver.cuStreamSynchronize(stream.stream());
    for (long base : mapped) {
      NativeEpLibrary.ipcClose(base);
    }
    mapped.clear();
    group.close();
    staging.free(gpu);
    if (swigluWeights != null) {
      gpu.free(swigluWeights);
    }
    gpu.free(workspace);
  }
}
