package io.epruntime.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Recycles payload buffers between the exchanges of {@link ReferenceEngine}: once every receive of
 * an exchange has copied out what it needs, the payloads go back here and the next exchange
 * writes over them rather than paying for fresh zero-filled memory. Best fit by capacity.
 */
final class PayloadPool implements PayloadAllocator {
  private final List<ByteBuffer> free = new ArrayList<>();
  private final int maxKept;

  PayloadPool(int maxKept) {
    this.maxKept = maxKept;
  }

  @Override
  public synchronized ByteBuffer allocate(int bytes) {
    int best = -1;
    for (int i = 0; i < free.size(); i++) {
      int capacity = free.get(i).capacity();
      if (capacity >= bytes && (best < 0 || capacity < free.get(best).capacity())) {
        best = i;
      }
    }
    if (best < 0) {
      return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
    ByteBuffer b = free.remove(best);
    b.clear().limit(bytes);
    return b.order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Takes back every payload of one exchange ({@code sent[source][destination]}). */
  synchronized void release(ByteBuffer[][] sent) {
    for (ByteBuffer[] row : sent) {
      for (ByteBuffer b : row) {
        if (b != null && free.size() < maxKept) {
          free.add(b);
        }
      }
    }
  }
}
