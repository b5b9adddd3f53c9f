package io.epruntime.transport;

import io.epruntime.protocol.wire.StepControlCodec;
import io.epruntime.protocol.wire.WireFormatException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path a step's control takes: binary frames ({@link StepControlCodec}) on the nodes'
 * Aeron drivers (CONTROL stream), from the client to the coordinator's node, from there to every
 * rank's node, and back. Ordering per sender and receiver holds: one publication per destination,
 * one transport thread.
 */
public final class StepControl {
  private static final Logger LOG = LoggerFactory.getLogger(StepControl.class);

  private final AeronNode node;

  public StepControl(AeronNode node) {
    this.node = node;
  }

  /**
   * Sends an encoded frame to the node at {@code endpoint}; the stage completes once it is in Aeron's
   * log and fails like {@link AeronNode#send} (no subscriber, back-pressure past the send time-out).
   */
  public CompletionStage<Void> send(String endpoint, byte[] frame) {
    return node.send(endpoint, Streams.CONTROL, frame);
  }

  /**
   * Hands every step control frame arriving at this node to {@code onMessage}, decoded, on the
   * transport thread (so it only tells an actor). Malformed frames are logged and dropped; the
   * stream keeps serving. Close the handle to stop.
   */
  public AutoCloseable listen(Consumer<Object> onMessage) {
    return node.listen(Streams.CONTROL, buffer -> {
      Object message;
      try {
        message = StepControlCodec.decode(buffer);
      } catch (WireFormatException e) {
        LOG.warn("CONTROL stream on {}: rejected a frame: {}", node.endpoint(), e.getMessage());
        return;
      }
      onMessage.accept(message);
    });
  }

  /** This node's endpoint: where frames for it go ({@code host:port}). */
  public String endpoint() {
    return node.endpoint();
  }
}
