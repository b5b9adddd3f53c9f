package io.epruntime.client;

/**
 * A bad argument to the client's API (a setting, a tensor, a routing, a kernel name): nothing was
 * sent or changed. {@link #argument()} names it; the message says the value given and what is allowed.
 */
public class InvalidArgumentException extends EpClientException {
  private static final long serialVersionUID = 1L;

  private final String argument;

  public InvalidArgumentException(String argument, String message) {
    super(message);
    this.argument = argument;
  }

  /** The argument or configuration key that was refused. */
  public String argument() {
    return argument;
  }

  /** Fails with {@code name = value is not allowed: allowed} unless the condition holds. */
  static void require(boolean condition, String name, Object value, String allowed) {
    if (!condition) {
      throw new InvalidArgumentException(name, name + " = " + value + " is not allowed: " + allowed);
    }
  }
}
