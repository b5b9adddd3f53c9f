package io.epruntime.cli.cluster;

import io.epruntime.cli.CliException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which GPU each local rank process gets, as the {@code CUDA_VISIBLE_DEVICES} it is started with.
 * The GPUs are those this CLI may use (its own {@code CUDA_VISIBLE_DEVICES} when set, else every GPU
 * the driver shows); with fewer GPUs than ranks ({@code --gpus}), ranks share them round-robin, and
 * ranks on one GPU reach each other through peer windows.
 *
 * @param devices per rank, the device id it sees as its GPU 0
 */
public record GpuPlacement(List<String> devices) {

  public GpuPlacement {
    devices = List.copyOf(devices);
  }

  /** No GPUs (the cpu backend). */
  public static GpuPlacement none() {
    return new GpuPlacement(List.of());
  }

  /**
   * Places {@code ranks} ranks on {@code wanted} GPUs (0: one per rank).
   *
   * @param inherited this process's {@code CUDA_VISIBLE_DEVICES}, or null
   * @param visible how many GPUs this process may use
   */
  public static GpuPlacement plan(int ranks, int wanted, String inherited, int visible) {
    int use = wanted == 0 ? ranks : wanted;
    if (wanted < 0 || wanted > ranks) {
      throw CliException.usage("--gpus = " + wanted + " is not allowed: 0 (one per rank) or 1.." + ranks);
    }
    if (use > visible) {
      throw CliException.environment("the nccl backend needs " + use + " GPU(s)" + (wanted == 0 ? " (one per rank)" : "")
          + " but " + visible + " are visible; use --gpus " + Math.max(1, visible) + " to share them, or --backend cpu");
    }
    List<String> ids = new ArrayList<>();
    if (inherited != null && !inherited.isBlank()) {
      ids.addAll(Arrays.stream(inherited.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    } else {
      for (int g = 0; g < visible; g++) {
        ids.add(Integer.toString(g));
      }
    }
    List<String> out = new ArrayList<>();
    for (int r = 0; r < ranks; r++) {
      out.add(ids.get(r % use));
    }
    return new GpuPlacement(out);
  }

  /** The device rank {@code rank} is given, or null without GPUs. */
  public String deviceOf(int rank) {
    return devices.isEmpty() ? null : devices.get(rank);
  }

  /** Distinct GPUs in use. */
  public long gpus() {
    return devices.stream().distinct().count();
  }
}
