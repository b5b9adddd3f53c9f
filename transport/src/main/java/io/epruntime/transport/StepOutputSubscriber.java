package io.epruntime.transport;

import io.epruntime.protocol.wire.StepOutputFrame;
import java.util.function.Consumer;

/** Client side: ranks' results arriving on this node's STEP_OUTPUT stream, on the transport thread. */
public final class StepOutputSubscriber extends FrameSubscriber<StepOutputFrame> {
  public StepOutputSubscriber(AeronNode node, Consumer<StepOutputFrame> consumer) {
    super(node, Streams.STEP_OUTPUT, StepOutputFrame::decode, consumer);
  }
}
