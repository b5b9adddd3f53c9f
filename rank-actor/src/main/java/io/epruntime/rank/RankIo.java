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
   * A step was announced: its tensors and the backend's frames are about to arrive, so an idle
   * transport should wake and poll promptly. Default: nothing to wake.
   */
  default void expectTraffic() {}

  /**
   * Sends one rank's result of a step to the client at {@code replyEndpoint}.
   *
   * @param status a {@code StepOutputFrame} status: OK with {@code combined}, else {@code error} says why not
   */
  CompletionStage<Void> sendOutput(
      String replyEndpoint, long clientId, long requestId, int rank, long seq, long generation, int status, String error,
      HiddenStates combined);
}
