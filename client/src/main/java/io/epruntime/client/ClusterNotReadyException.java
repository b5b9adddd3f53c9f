package io.epruntime.client;

import java.util.List;

/**
 * The cluster's world did not become Ready within {@code connectTimeout}: while connecting, or
 * between the attempts of a step after a retriable failure. Retriable: the same request (or
 * connect) may be tried again once the missing ranks are back. The message and the accessors say
 * what the coordinator last reported.
 */
public class ClusterNotReadyException extends RetriableStepException {
  private static final long serialVersionUID = 1L;

  private final String state;
  private final List<Integer> missingRanks;

  public ClusterNotReadyException(long generation, String state, List<Integer> missingRanks, String message, Throwable cause) {
    super(generation, message);
    this.state = state;
    this.missingRanks = List.copyOf(missingRanks);
    if (cause != null) {
      initCause(cause);
    }
  }

  /** The world's state last reported ({@code forming}, {@code bootstrapping}), or {@code unknown} when no gateway answered. */
  public String state() {
    return state;
  }

  /** The ranks the coordinator last reported missing; empty when no gateway answered. */
  public List<Integer> missingRanks() {
    return missingRanks;
  }
}
