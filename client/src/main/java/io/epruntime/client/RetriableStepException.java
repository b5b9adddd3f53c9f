package io.epruntime.client;

/**
 * The world changed under the step (a rank was lost, the coordinator moved, a time-out ended the
 * generation), or it was not Ready: no result was produced, and the same request may be submitted
 * again. Never a wrong result.
 */
public class RetriableStepException extends EpClientException {
  private static final long serialVersionUID = 1L;

  private final long generation;

  public RetriableStepException(long generation, String message) {
    super(message);
    this.generation = generation;
  }

  /** The world generation the step was in (or the current one when it never started). */
  public long generation() {
    return generation;
  }
}
