package io.epruntime.transport;

import io.epruntime.protocol.wire.StepOutputFrame;
import java.util.concurrent.CompletionStage;

/** Rank side: sends a step's result (or error) to the client's STEP_OUTPUT stream. */
public final class StepOutputPublisher {
  private final AeronNode node;

  public StepOutputPublisher(AeronNode node) {
    this.node = node;
  }

  /** Completes when the frame is in the publication; fails with {@link TransportException} on time-out. */
  public CompletionStage<Void> send(String clientEndpoint, StepOutputFrame frame) {
    return node.send(clientEndpoint, Streams.STEP_OUTPUT, frame.encode());
  }
}
