package io.epruntime.transport;

import java.nio.ByteBuffer;

/**
 * Receives whole frames of one stream, reassembled from their chunks, on the node's transport
 * thread. The buffer is the listener's own (little-endian, position 0); it may keep it. Keep the
 * work short or hand it to an executor: the thread also sends and polls every other stream.
 */
@FunctionalInterface
public interface MessageListener {
  void onMessage(ByteBuffer frame);
}
