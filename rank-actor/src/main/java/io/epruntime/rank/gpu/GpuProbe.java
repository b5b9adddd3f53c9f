package io.epruntime.rank.gpu;

/**
 * Decides once per JVM whether a CUDA GPU can be used, touching JCuda first and catching
 * everything: after a failed native load JCuda's classes stay unusable for the JVM's life, so no
 * other code references JCuda unless {@link #probe()} said yes. A machine without
 * {@code libcuda.so.1} gets a clean "no GPU" with the reason.
 */
public final class GpuProbe {
  private static Result result;

  private GpuProbe() {}

  /**
   * The outcome of the probe.
   *
   * @param available true when the driver loaded and at least one device answered
   * @param deviceCount devices the driver sees
   * @param description device 0's name and the driver version, when available
   * @param reason why not, when not available
   */
  public record Result(boolean available, int deviceCount, String description, String reason) {
    static Result no(String reason) {
      return new Result(false, 0, null, reason);
    }

    @Override
    public String toString() {
      return available ? deviceCount + " GPU(s): " + description : "no GPU: " + reason;
    }
  }

  /** Probes on first call (thread-safe) and returns the same result afterwards. */
  public static synchronized Result probe() {
    if (result == null) {
      try {
        result = JCudaProbe.run();
      } catch (Throwable t) {
        // UnsatisfiedLinkError (no libcuda.so.1, glibc too old), NoClassDefFoundError, anything.
        String msg = String.valueOf(t.getMessage()).lines().findFirst().orElse("");
        result = Result.no("JCuda could not initialise the CUDA driver: " + t.getClass().getSimpleName() + ": " + msg
            + (t.getCause() != null ? " (" + t.getCause() + ")" : "") + "; libcuda.so.1 missing?");
      }
    }
    return result;
  }
}
