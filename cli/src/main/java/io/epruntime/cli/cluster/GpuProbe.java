package io.epruntime.cli.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Counts the NVIDIA GPUs this process may use, without loading any native library: the driver's
 * {@code /proc/driver/nvidia/gpus} entries (else {@code /dev/nvidiaN} device files), narrowed by
 * {@code CUDA_VISIBLE_DEVICES} when it is set. Enough to choose a backend and to refuse
 * {@code --backend nccl} clearly on a machine without a GPU.
 */
public final class GpuProbe {
  private GpuProbe() {}

  /** GPUs visible to this process; 0 on a machine without the NVIDIA driver. */
  public static int visibleGpus() {
    return visibleGpus(Path.of("/proc/driver/nvidia/gpus"), Path.of("/dev"), System.getenv("CUDA_VISIBLE_DEVICES"));
  }

  static int visibleGpus(Path procGpus, Path dev, String cudaVisibleDevices) {
    int present = count(procGpus, p -> true);
    if (present == 0) {
      present = count(dev, p -> p.getFileName().toString().matches("nvidia[0-9]+"));
    }
    if (cudaVisibleDevices == null) {
      return present;
    }
    String v = cudaVisibleDevices.trim();
    if (v.isEmpty() || v.startsWith("-1")) {
      return 0;
    }
    // CUDA stops at the first invalid entry; counting entries is the usual approximation.
    return Math.min(present, v.split(",").length);
  }

  private static int count(Path dir, java.util.function.Predicate<Path> accept) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return (int) entries.filter(accept).count();
    } catch (IOException | SecurityException e) {
      return 0;
    }
  }
}
