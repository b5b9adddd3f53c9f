package io.epruntime.engine;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Memory for the row tensors a {@link ReferenceEngine} returns ({@code recvX}, combine outputs),
 * recycled instead of fresh: Java zero-fills every new array, which for multi-GB results costs
 * about as much as one more copy of the rows. Buffers are handed out in call order; after
 * {@link #recycle()} the next results take the same buffers again (in the same order, when large
 * enough), so every result handed out before {@code recycle()} may be overwritten by later calls.
 * The engine writes every byte of a result it takes from here, so leftover content never shows.
 * Not thread-safe; one arena per engine.
 */
public final class ResultArena {
  private final List<ByteBuffer> buffers = new ArrayList<>();
  private int next;

  /** Lets the next results reuse the memory of all results handed out so far. */
  public void recycle() {
    next = 0;
  }

  /** Bytes held. */
  public long heldBytes() {
    long sum = 0;
    for (ByteBuffer b : buffers) {
      sum += b.capacity();
    }
    return sum;
  }

  ByteBuffer take(int bytes) {
    ByteBuffer b;
    if (next < buffers.size() && buffers.get(next).capacity() >= bytes) {
      b = buffers.get(next);
    } else {
      b = ByteBuffer.allocate(bytes);
      if (next < buffers.size()) {
        buffers.set(next, b);
      } else {
        buffers.add(b);
      }
    }
    next++;
    return b.clear().limit(bytes).slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A {@code [rows, hidden]} result (with fp8 scales) whose content is garbage until written. */
  HiddenStates hiddenStates(DType dtype, int rows, int hidden) {
    Tensor x = Tensor.wrap(dtype, rows, hidden, take(rows * hidden * dtype.bytesPerElement()));
    Tensor s = null;
    if (dtype == DType.FP8_E4M3) {
      int blocks = hidden / DType.FP8_SCALE_BLOCK;
      s = Tensor.wrap(DType.FP32, rows, blocks, take(rows * blocks * Float.BYTES));
    }
    return new HiddenStates(x, s);
  }

  /** From {@code arena}, or fresh zeros when it is null. */
  static HiddenStates hiddenStates(ResultArena arena, DType dtype, int rows, int hidden) {
    return arena == null ? HiddenStates.zeros(dtype, rows, hidden) : arena.hiddenStates(dtype, rows, hidden);
  }
}
