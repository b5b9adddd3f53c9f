package io.epruntime.weights;

import io.epruntime.protocol.EpArgumentException;
import java.nio.file.Path;

/**
 * A checkpoint the runtime refuses: a missing or malformed file, a tensor that is absent or has the
 * wrong shape or dtype, a config that disagrees with the world, or a rank's experts that do not fit
 * the memory budget. The message names the file and, where one is at fault, the tensor. It is thrown
 * before anything is loaded, so a caller never holds half a checkpoint.
 */
public final class CheckpointException extends EpArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String tensor;

  private CheckpointException(Path file, String tensor, String message) {
    super(file.toString(), tensor == null ? message : "tensor " + tensor + ": " + message);
    this.file = file;
    this.tensor = tensor;
  }

  /** A problem with one tensor of {@code file}. */
  static CheckpointException tensor(Path file, String tensor, String message) {
    return new CheckpointException(file, tensor, message);
  }

  /** A problem with {@code file} as a whole (or a directory): unreadable, malformed, mismatched. */
  static CheckpointException file(Path file, String message) {
    return new CheckpointException(file, null, message);
  }

  /** The file (or checkpoint directory) at fault. */
  public Path file() {
    return file;
  }

  /** The tensor at fault, or {@code null} when the problem is not one tensor's. */
  public String tensor() {
    return tensor;
  }
}
