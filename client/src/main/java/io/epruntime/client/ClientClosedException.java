package io.epruntime.client;

/**
 * The call was made on, or was still outstanding at, a client that {@link EpClient#close closed}:
 * nothing was sent. Connect a new client to go on.
 */
public class ClientClosedException extends EpClientException {
  private static final long serialVersionUID = 1L;

  public ClientClosedException(String message) {
    super(message);
  }
}
