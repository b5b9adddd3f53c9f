package io.epruntime.rank;

import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;

/**
 * A client's tensors for one step on this rank, as they arrived over Aeron.
 *
 * @param replyEndpoint the client's Aeron endpoint for the step's output
 */
public record StepInput(long clientId, long requestId, String replyEndpoint, HiddenStates x, Routing routing) {

  /** The key that pairs these tensors with the coordinator's {@code RunStep}. */
  public StepKey key() {
    return new StepKey(clientId, requestId);
  }

  /** (client, request) of one attempt of a step. */
  public record StepKey(long clientId, long requestId) {}
}
