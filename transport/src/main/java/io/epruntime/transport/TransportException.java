package io.epruntime.transport;

/** A frame could not be sent (no subscriber in time, back-pressure that did not clear, closed). */
public final class TransportException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TransportException(String message) {
    super(message);
  }

  public TransportException(String message, Throwable cause) {
    super(message, cause);
  }
}
