package io.epruntime.protocol.cluster;

import io.epruntime.protocol.wire.BootstrapRecord;
import java.util.Arrays;
import java.util.Objects;

/**
 * A rank finished (or failed, {@code error} non-null) a phase of forming {@code generation} after
 * receiving that phase's bootstrap record over Aeron.
 *
 * @param phase the phase answered
 * @param window {@link BootstrapRecord.Phase#JOIN}: the rank's peer window, empty when its backend
 *     needs none; always empty for {@link BootstrapRecord.Phase#PEERS}
 */
public record BootstrapAck(long generation, int rank, BootstrapRecord.Phase phase, String error, byte[] window)
    implements ToCoordinator {

  public BootstrapAck {
    Objects.requireNonNull(phase, "phase");
    window = window == null ? new byte[0] : window.clone();
  }

  /** A {@link BootstrapRecord.Phase#JOIN} answer without a window. */
  public static BootstrapAck joined(long generation, int rank, String error) {
    return new BootstrapAck(generation, rank, BootstrapRecord.Phase.JOIN, error, new byte[0]);
  }

  @Override
  public byte[] window() {
    return window.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BootstrapAck a && generation == a.generation && rank == a.rank && phase == a.phase
        && Objects.equals(error, a.error) && Arrays.equals(window, a.window);
  }

  @Override
  public int hashCode() {
    return Objects.hash(generation, rank, phase, error, Arrays.hashCode(window));
  }

  @Override
  public String toString() {
    return "BootstrapAck[generation=" + generation + ", rank=" + rank + ", phase=" + phase + ", error=" + error
        + ", window=" + window.length + " bytes]";
  }
}
