package io.epruntime.cli.cluster;

import io.epruntime.cli.CliException;

/**
 * Decides the data-plane backend of a local run: {@code nccl} needs a GPU per rank, or the GPUs
 * {@code --gpus} asks the ranks to share (and the native library); {@code cpu} runs anywhere;
 * {@code auto} takes nccl only when both hold, so a laptop and a CI runner get cpu without a flag.
 */
public final class BackendChoice {

  /** What {@code --backend} accepts. */
  public enum Requested {
    auto,
    cpu,
    nccl
  }

  private BackendChoice() {}

  /**
   * The backend name to configure on every rank.
   *
   * @param nativeProblem why the native library cannot be used here, or null when it can
   * @throws CliException (environment) when nccl is forced but cannot run on this machine
   */
  public static String resolve(Requested requested, int ranks, int gpus, String nativeProblem) {
    return resolve(requested, ranks, 0, gpus, nativeProblem);
  }

  /**
   * As {@link #resolve(Requested, int, int, String)} where the ranks are to share {@code wanted}
   * GPUs ({@code --gpus}; 0 = one per rank).
   */
  public static String resolve(Requested requested, int ranks, int wanted, int gpus, String nativeProblem) {
    int need = wanted == 0 ? ranks : wanted;
    switch (requested) {
      case cpu:
        return "cpu";
      case nccl:
        if (gpus == 0) {
          throw CliException.environment(
              "--backend nccl needs a GPU but none is visible on this machine (no /proc/driver/nvidia/gpus, or CUDA_VISIBLE_DEVICES hides them); use --backend cpu or auto");
        }
        if (gpus < need) {
          throw CliException.environment(
              "--backend nccl needs " + (wanted == 0 ? "one GPU per rank: --ranks = " + ranks : "--gpus = " + wanted) + " but "
                  + gpus + " GPU(s) are visible; use --gpus " + gpus + " (ranks share GPUs) or --backend cpu");
        }
        if (nativeProblem != null) {
          throw CliException.environment("--backend nccl cannot load the native EP library or NCCL: " + nativeProblem);
        }
        return "nccl";
      default:
        return gpus > 0 && gpus >= need && nativeProblem == null ? "nccl" : "cpu";
    }
  }
}
