package io.epruntime.transport;

import io.epruntime.protocol.wire.StepInputFrame;
import java.util.concurrent.CompletionStage;

/** Client side: sends a rank its tokens of one step, straight to the rank's STEP_INPUT stream. */
public final class StepInputPublisher {
  private final AeronNode node;

  public StepInputPublisher(AeronNode node) {
    this.node = node;
  }

  /** Completes when the frame is in the publication; fails with {@link TransportException} on time-out. */
  public CompletionStage<Void> send(String rankEndpoint, StepInputFrame frame) {
    return node.send(rankEndpoint, Streams.STEP_INPUT, frame.encode());
  }
}
