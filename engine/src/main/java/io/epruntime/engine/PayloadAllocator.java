package io.epruntime.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Where a {@link RankEngine} takes the memory of the payloads it sends, so that a caller can hand
 * out recycled or off-heap buffers (an Aeron-side pool, {@link ReferenceEngine}'s reuse) instead
 * of fresh, zero-filled heap arrays. The engine writes every byte of a payload, so a buffer's old
 * content never leaks into a message.
 */
@FunctionalInterface
public interface PayloadAllocator {

  /** A buffer with position 0 and limit {@code bytes}; the content may be anything. */
  ByteBuffer allocate(int bytes);

  /** Fresh heap buffers, little-endian. */
  static PayloadAllocator heap() {
    return bytes -> ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }
}
