package io.epruntime.transport;

import io.epruntime.protocol.wire.StepInputFrame;
import java.util.function.Consumer;

/** Rank side: client tensors arriving on this node's STEP_INPUT stream, on the transport thread. */
public final class StepInputSubscriber extends FrameSubscriber<StepInputFrame> {
  public StepInputSubscriber(AeronNode node, Consumer<StepInputFrame> consumer) {
    super(node, Streams.STEP_INPUT, StepInputFrame::decode, consumer);
  }
}
