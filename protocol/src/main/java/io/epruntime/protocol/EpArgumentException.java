package io.epruntime.protocol;

/**
 * Bad input: a shape, dtype, index or setting that the runtime refuses. The message always names
 * the argument (or configuration key), the value given and what is allowed, so the caller can act
 * on it without reading code. Nothing has been changed when it is thrown.
 */
public class EpArgumentException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String argument;

  public EpArgumentException(String argument, String message) {
    super(argument + ": " + message);
    this.argument = argument;
  }

  /** The name of the argument or configuration key that was refused. */
  public String argument() {
    return argument;
  }

  /** Fails with {@code name = value is not allowed: allowed} unless the condition holds. */
  public static void require(boolean condition, String name, Object value, String allowed) {
    if (!condition) {
      throw new EpArgumentException(name, name + " = " + value + " is not allowed: " + allowed);
    }
  }
}
