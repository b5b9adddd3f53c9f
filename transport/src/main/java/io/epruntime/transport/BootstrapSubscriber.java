package io.epruntime.transport;

import io.epruntime.protocol.wire.BootstrapRecord;
import java.util.function.Consumer;

/**
 * Rank side of bootstrap: every {@link BootstrapRecord} arriving on this node's BOOTSTRAP stream
 * goes to the consumer, on the transport thread. The coordinator re-sends until acknowledged, so
 * duplicates arrive; consumers de-duplicate by generation.
 */
public final class BootstrapSubscriber extends FrameSubscriber<BootstrapRecord> {
  public BootstrapSubscriber(AeronNode node, Consumer<BootstrapRecord> consumer) {
    super(node, Streams.BOOTSTRAP, BootstrapRecord::decode, consumer);
  }
}
