package io.epruntime.client;

/** Base of everything the client throws or fails a step with; unchecked. */
public class EpClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EpClientException(String message) {
    super(message);
  }

  public EpClientException(String message, Throwable cause) {
    super(message, cause);
  }
}
