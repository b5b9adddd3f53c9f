package io.epruntime.client;

/**
 * The in-flight window is full (this client's {@code maxInFlight}, or the cluster's
 * {@code ep.max-in-flight}): wait for a step to complete before submitting more.
 */
public class BackPressureException extends EpClientException {
  private static final long serialVersionUID = 1L;

  public BackPressureException(String message) {
    super(message);
  }
}
