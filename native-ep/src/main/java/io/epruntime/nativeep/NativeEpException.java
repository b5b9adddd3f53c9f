package io.epruntime.nativeep;

/**
 * A native-ep failure that is not bad input: a CUDA or NCCL error, NCCL missing or too old, a call
 * out of order, or bad data a kernel reported. {@link #status()} is the C core's {@code ep_status}.
 */
public final class NativeEpException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** {@code EP_ERR_CUDA}. */
  public static final int CUDA = 2;
  /** {@code EP_ERR_NCCL}: the communicator should be aborted. */
  public static final int NCCL = 3;
  /** {@code EP_ERR_NCCL_MISSING}: libnccl could not be loaded or is too old. */
  public static final int NCCL_MISSING = 4;
  /** {@code EP_ERR_STATE}: a call out of order. */
  public static final int STATE = 5;
  /** {@code EP_ERR_CUBLAS}. */
  public static final int CUBLAS = 6;
  /** {@code EP_ERR_DEVICE}: a kernel flagged bad data in the error word. */
  public static final int DEVICE = 7;
  /**
   * {@code EP_ERR_TIMEOUT}: a kernel's wait for a peer ran out of its time budget (the device error
   * word's {@code EP_DEVERR_TIMEOUT}); the generation must end.
   */
  public static final int TIMEOUT = 8;

  private final int status;

  public NativeEpException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
