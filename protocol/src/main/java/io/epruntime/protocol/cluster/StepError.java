package io.epruntime.protocol.cluster;

/**
 * A step that did not complete.
 *
 * @param kind what the client should do about it
 * @param generation the world generation that was current, for {@link Kind#RETRIABLE}
 * @param field the refused argument for {@link Kind#REJECTED}, else null
 */
public record StepError(long requestId, Kind kind, long generation, String field, String message) implements ToClient {

  /** How a client reacts. */
  public enum Kind {
    /** The world changed or is forming: the same step may be submitted again. */
    RETRIABLE,
    /** Bad input: do not retry unchanged. */
    REJECTED,
    /** The in-flight window is full: slow down. */
    BACK_PRESSURE
  }
}
