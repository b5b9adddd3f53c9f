package io.epruntime.nativeep;

import io.epruntime.nativeep.internal.NativeEp;
import io.epruntime.nativeep.internal.NativeLoader;

/**
 * Whether native-ep can be used in this JVM, and its NCCL. Loading the library needs no GPU (CUDA is
 * reached lazily); NCCL is opened with {@code dlopen} only when {@link #loadNccl} is called.
 */
public final class NativeEpLibrary {
  /** System property / environment variable naming the NCCL library to open instead of libnccl.so.2. */
  public static final String NCCL_PATH_PROPERTY = "ep.nccl-library";
  public static final String NCCL_PATH_ENV = "EP_NCCL_LIBRARY";

  private NativeEpLibrary() {}

  /** True when libnative-ep.so is loaded. */
  public static boolean isAvailable() {
    return NativeLoader.unavailabilityCause() == null;
  }

  /** Null when available, else why the library could not be loaded. */
  public static String unavailabilityCause() {
    return NativeLoader.unavailabilityCause();
  }

  /** Throws {@link NativeEpException} with the cause unless the library is loaded. */
  public static void ensureAvailable() {
    String cause = unavailabilityCause();
    if (cause != null) {
      throw new NativeEpException(NativeEpException.STATE, "native-ep is unavailable: " + cause);
    }
  }

  /** The library's build line (version, CUDA, architectures). */
  public static String buildInfo() {
    ensureAvailable();
    return NativeEp.buildInfo0();
  }

  /**
   * Opens NCCL ({@code path}, else the property/environment override, else libnccl.so.2) and
   * returns its version code (e.g. 22803 for 2.28.3). Fails with {@link NativeEpException#NCCL_MISSING}
   * naming the library, the version found and the version needed.
   */
  public static int loadNccl(String path) {
    ensureAvailable();
    return NativeEp.ncclLoad0(path != null ? path : defaultNcclPath());
  }

  /** {@code ncclGetUniqueId}: 128 bytes for the coordinator to ship to every rank. */
  public static byte[] ncclUniqueId() {
    ensureAvailable();
    return NativeEp.ncclUniqueId0();
  }

  /**
   * Holds {@code stream} for about {@code nanos} on the GPU (one sleeping thread): benchmarks queue
   * work behind it so the host's launch time stays out of what they time.
   */
  public static void streamDelay(long stream, long nanos) {
    ensureAvailable();
    NativeEp.streamDelay0(stream, nanos);
  }

  /** The 64-byte CUDA IPC handle of the device allocation starting at {@code base} (current device). */
  public static byte[] ipcHandle(long base) {
    ensureAvailable();
    return NativeEp.ipcHandle0(base);
  }

  /** Maps another process's allocation by its IPC handle; returns its base address here. */
  public static long ipcOpen(byte[] handle) {
    ensureAvailable();
    return NativeEp.ipcOpen0(handle);
  }

  /** Unmaps what {@link #ipcOpen} mapped. */
  public static void ipcClose(long base) {
    ensureAvailable();
    NativeEp.ipcClose0(base);
  }

  /** The override from {@value #NCCL_PATH_PROPERTY} or {@value #NCCL_PATH_ENV}, or null. */
  public static String defaultNcclPath() {
    String p = System.getProperty(NCCL_PATH_PROPERTY);
    return p != null ? p : System.getenv(NCCL_PATH_ENV);
  }

  /** "2.28.3" for 22803. */
  public static String versionString(int code) {
    return (code / 10000) + "." + (code / 100 % 100) + "." + (code % 100);
  }
}
