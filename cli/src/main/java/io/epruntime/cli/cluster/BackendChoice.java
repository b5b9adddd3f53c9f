package io.epruntime.cli.cluster;

import io.epruntime.cli.CliException;

/**
 * Decides the data-plane backend of a local run: {@code nccl} needs one GPU per rank (and the
 * native library), {@code cpu} runs anywhere; {@code auto} takes nccl only when both hold, so a
 * laptop and a CI runner get cpu without a flag.
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
    switch (requested) {
      case cpu:
        return "cpu";
      case nccl:
        if (gpus == 0) {
          throw CliException.environment(
              "--backend nccl needs a GPU but none is visible on this machine (no /proc/driver/nvidia/gpus, or CUDA_VISIBLE_DEVICES hides them); use --backend cpu or auto");
        }
        if (gpus < ranks) {
          throw CliException.environment(
              "--backend nccl needs one GPU per rank: --ranks = " + ranks + " but " + gpus + " GPU(s) are visible; use --ranks " + gpus + " or --backend cpu");
        }
        if (nativeProblem != null) {
          throw CliException.environment("--backend nccl cannot load the native EP library or NCCL: " + nativeProblem);
        }
        return "nccl";
      default:
        return gpus >= ranks && nativeProblem == null ? "nccl" : "cpu";
    }
  }
}
