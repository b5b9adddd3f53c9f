package io.epruntime.rank.backend.nccl;

import io.epruntime.nativeep.NativeEpLibrary;
import io.epruntime.rank.gpu.GpuProbe;

/**
 * Whether the nccl backend can run in this JVM: a GPU (probe), native-ep loaded, and NCCL opened
 * at a usable version. {@code reason} says what is missing, or what was found when available.
 */
public record NcclAvailability(boolean available, String reason) {

  /** Checks the three in order; NCCL is opened with {@code library} (null: the default). */
  static NcclAvailability check(String library) {
    GpuProbe.Result gpu = GpuProbe.probe();
    if (!gpu.available()) {
      return new NcclAvailability(false, "no GPU: " + gpu.reason());
    }
    if (!NativeEpLibrary.isAvailable()) {
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
