package io.epruntime.rank;

import io.epruntime.protocol.tensor.HiddenStates;
import java.util.concurrent.CompletionStage;

/**
 * The rank actor's way out to clients: its combined output (or the reason there is none) goes
 * straight to the client over Aeron. Implemented by the node's transport wiring; tests substitute
 * their own.
 */
public interface RankIo {

  /**
   * Sends one rank's result of a step to the client at {@code replyEndpoint}.
   *
   * @param status 0 when {@code combined} is the result; else {@code error} says why not
   */
  CompletionStage<Void> sendOutput(
      String replyEndpoint, long clientId, long requestId, int rank, long seq, long generation, int status, String error,
      HiddenStates combined);

  /** Output status: the step ran and {@code combined} holds this rank's result. */
  int STATUS_OK = 0;
  /** Output status: the generation ended under the step; the client may retry it. */
  int STATUS_WORLD_CHANGED = 1;
  /** Output status: the step was refused or failed on this rank. */
  int STATUS_FAILED = 2;
}
