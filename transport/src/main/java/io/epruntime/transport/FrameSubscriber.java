package io.epruntime.transport;

import io.epruntime.protocol.wire.WireFormatException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the frames of one stream and hands each record to a consumer on the transport thread.
 * Malformed or foreign frames are logged with the field that failed and dropped; the stream keeps
 * serving. The typed subscribers ({@link BootstrapSubscriber}, ...) are this with a decoder.
 */
class FrameSubscriber<T> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FrameSubscriber.class);

  private final AutoCloseable registration;
  private volatile long rejected;

  FrameSubscriber(AeronNode node, int streamId, Function<ByteBuffer, T> decoder, Consumer<T> consumer) {
    this.registration = node.listen(streamId, frame -> {
      T record;
      try {
        record = decoder.apply(frame);
      } catch (WireFormatException e) {
        rejected++;
        LOG.warn("stream {} on {}: rejected a {}-byte frame: {}", streamId, node.endpoint(), frame.remaining(), e.getMessage());
        return;
      }
      consumer.accept(record);
    });
  }

  /** Frames refused as malformed since start. */
  public long rejectedFrames() {
    return rejected;
  }

  @Override
  public void close() {
    try {
      registration.close();
    } catch (Exception e) {
      LOG.warn("closing a subscriber failed", e);
    }
  }
}
