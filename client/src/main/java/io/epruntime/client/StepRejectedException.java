package io.epruntime.client;

/** Bad input: the step was refused; {@link #field()} names the argument. Retrying it unchanged fails again. */
public class StepRejectedException extends EpClientException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public StepRejectedException(String field, String message) {
    super(message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
