package io.epruntime.weights;

import io.epruntime.protocol.tensor.Bf16;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * A read-only view of one tensor's bytes where they lie in a memory-mapped checkpoint file: no
 * copy is made until {@link #toFloatArray()} or {@link #toFloatBuffer()} asks for fp32.
 * Matrices are row-major, as PyTorch stores {@code nn.Linear.weight} ({@code [out, in]}).
 */
public final class TensorView {
  private final String name;
  private final Path file;
  private final TensorDType dtype;
  private final List<Long> shape;
  private final ByteBuffer data;

  TensorView(String name, Path file, TensorDType dtype, List<Long> shape, ByteBuffer data) {
    this.name = name;
    this.file = file;
    this.dtype = dtype;
    this.shape = List.copyOf(shape);
    this.data = data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  public String name() {
    return name;
  }

  /** The safetensors file the bytes are mapped from. */
  public Path file() {
    return file;
  }

  public TensorDType dtype() {
    return dtype;
  }

  public List<Long> shape() {
    return shape;
  }

  /** The bytes, little-endian, position 0; a fresh read-only duplicate each call, so callers cannot disturb each other. */
  public ByteBuffer data() {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  public long byteSize() {
    return data.capacity();
  }

  public int elementCount() {
    return data.capacity() / dtype.bytesPerElement();
  }

  /** Element {@code i} (row-major) widened to fp32; exact for bf16, fp16 and fp32. */
  public float get(int i) {
    return switch (dtype) {
      case BF16 -> Bf16.toFloat(data.getShort(i * 2));
      case F16 -> Fp16.toFloat(data.getShort(i * 2));
      case F32 -> data.getFloat(i * 4);
      default -> throw CheckpointException.tensor(file, name, "dtype " + dtype + " has no fp32 conversion; allowed: "
          + TensorDType.expertTypeNames());
    };
  }

  /** A heap copy in fp32, for small matrices and tests. */
  public float[] toFloatArray() {
    float[] values = new float[elementCount()];
    if (dtype == TensorDType.F32) {
      data().asFloatBuffer().get(values);
      return values;
    }
    for (int i = 0; i < values.length; i++) {
      values[i] = get(i);
    }
    return values;
  }

  /** An off-heap (direct, native-order) copy in fp32, as the CPU reference keeps resident experts. */
  public FloatBuffer toFloatBuffer() {
    int n = elementCount();
    FloatBuffer values = ByteBuffer.allocateDirect(Math.multiplyExact(n, Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    for (int i = 0; i < n; i++) {
      values.put(i, get(i));
    }
    return values;
  }

  @Override
  public String toString() {
    return name + " " + dtype + " " + shape + " in " + file;
  }
}
