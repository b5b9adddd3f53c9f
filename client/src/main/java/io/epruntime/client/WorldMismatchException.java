package io.epruntime.client;

import java.util.List;

/**
 * The cluster runs a different world than this client was configured for (or than it connected
 * to): nothing was sent. The message names every differing key with both values, e.g.
 * {@code client ep.hidden = 256 but the cluster runs ep.hidden = 128}. Retrying does not help; fix
 * the client's configuration (or leave the key unset to adopt the cluster's value) and connect again.
 */
public class WorldMismatchException extends EpClientException {
  private static final long serialVersionUID = 1L;

  private final List<String> differences;

  public WorldMismatchException(String message, List<String> differences) {
    super(message + ": " + String.join("; ", differences));
    this.differences = List.copyOf(differences);
  }

  /** One line per differing key, {@code client KEY = A but the cluster runs KEY = B}. */
  public List<String> differences() {
    return differences;
  }
}
