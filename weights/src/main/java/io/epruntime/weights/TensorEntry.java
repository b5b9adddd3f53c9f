package io.epruntime.weights;

import java.util.List;

/**
 * One tensor as a safetensors header describes it: dtype, shape and the byte range
 * {@code [begin, end)} relative to the end of the header.
 */
record TensorEntry(String name, TensorDType dtype, List<Long> shape, long begin, long end) {

  TensorEntry {
    shape = List.copyOf(shape);
  }

  long elementCount() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  long byteSize() {
    return end - begin;
  }
}
