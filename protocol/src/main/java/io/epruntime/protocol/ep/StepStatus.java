package io.epruntime.protocol.ep;

/**
 * How a step ended: one vocabulary from the rank that ran it (its output frame, its report to the
 * coordinator) through the coordinator (its answer) to the client.
 */
public enum StepStatus {
  /** Done; the outputs are valid. */
  OK,
  /** Bad input: do not submit it again unchanged. */
  REJECTED,
  /** The world changed under the step (or is forming): the same step may be submitted again. */
  RETRIABLE,
  /** A rank's backend failed the step for another reason (the generation ends). */
  FAILED,
  /** The in-flight window is full: slow down, then submit again. */
  BACK_PRESSURE,
  /** Not every rank finished within the step time-out (the generation ends; the step may be retried). */
  TIMED_OUT;

  /** Whether submitting the same step again may succeed. */
  public boolean retriable() {
    return this == RETRIABLE || this == TIMED_OUT || this == BACK_PRESSURE;
  }
}
