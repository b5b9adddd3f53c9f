package io.epruntime.rank.backend.nccl;

import io.epruntime.nativeep.NativeEpLibrary;
import io.epruntime.rank.gpu.GpuProbe;

/**
 * Whether the nccl backend can run in this JVM: a GPU (probe), native-ep loaded, and NCCL opened
 * at a usable version. {@code reason} says what is missing, or what was found when available.
 */
public record NcclAvailability(boolean available, String reason) {

  /**
   * Checks the three; NCCL is opened with {@code library} (null: the default). native-ep loads
   * before the probe's first CUDA call, because loading it sets the driver's module loading to eager.
   */
  static NcclAvailability check(String library) {
    boolean nativeEp = NativeEpLibrary.isAvailable();
    GpuProbe.Result gpu = GpuProbe.probe();
    if (!gpu.available()) {
      return new NcclAvailability(false, "no GPU: " + gpu.reason());
    }
    if (!nativeEp) {
      return new NcclAvailability(false, "native-ep unavailable: " + NativeEpLibrary.unavailabilityCause());
    }
    try {
      int version = NativeEpLibrary.loadNccl(library);
      return new NcclAvailability(true,
          "ok: " + gpu.description() + ", NCCL " + NativeEpLibrary.versionString(version) + ", " + NativeEpLibrary.buildInfo());
    } catch (RuntimeException e) {
      return new NcclAvailability(false, e.getMessage());
    }
  }

  @Override
  public String toString() {
    return reason;
  }
}
