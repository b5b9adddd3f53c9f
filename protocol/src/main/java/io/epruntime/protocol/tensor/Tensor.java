package io.epruntime.protocol.tensor;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A dense row-major 2-D tensor of one {@link DType}, little-endian, backed by a heap or off-heap
 * {@link ByteBuffer}. Rows are the unit of every exchange, so row access is byte-exact and cheap;
 * element access converts through {@link Bf16} / {@link Fp8E4M3} with the GPU's rounding.
 *
 * <p>Not thread-safe: a tensor belongs to one step on one rank at a time.
 */
public final class Tensor {
  private final DType dtype;
  private final int rows;
  private final int cols;
  private final ByteBuffer data;

  private Tensor(DType dtype, int rows, int cols, ByteBuffer data) {
    this.dtype = dtype;
    this.rows = rows;
    this.cols = cols;
    this.data = data.order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A zero-filled heap tensor. */
  public static Tensor allocate(DType dtype, int rows, int cols) {
    return new Tensor(dtype, rows, cols, ByteBuffer.allocate(checkedBytes(dtype, rows, cols)));
  }

  /** A zero-filled off-heap tensor (what goes to Aeron or to the GPU without another copy). */
  public static Tensor allocateDirect(DType dtype, int rows, int cols) {
    return new Tensor(dtype, rows, cols, ByteBuffer.allocateDirect(checkedBytes(dtype, rows, cols)));
  }

  /** Wraps {@code data} from its position; it must hold exactly {@code rows * cols} elements. */
  public static Tensor wrap(DType dtype, int rows, int cols, ByteBuffer data) {
    long need = (long) rows * cols * dtype.bytesPerElement();
    if (data.remaining() != need) {
      throw new EpArgumentException(
          "data", "holds " + data.remaining() + " bytes but a " + dtype + " [" + rows + ", " + cols + "] tensor needs " + need);
    }
    return new Tensor(dtype, rows, cols, data.slice());
  }

  private static int checkedBytes(DType dtype, int rows, int cols) {
    EpArgumentException.require(rows >= 0, "rows", rows, ">= 0");
    EpArgumentException.require(cols >= 0, "cols", cols, ">= 0");
    long bytes = (long) rows * cols * dtype.bytesPerElement();
    EpArgumentException.require(bytes <= Integer.MAX_VALUE, "rows * cols", rows + " * " + cols, "at most 2 GiB per tensor");
    return (int) bytes;
  }

  public DType dtype() {
    return dtype;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  public int rowBytes() {
    return cols * dtype.bytesPerElement();
  }

  public int byteSize() {
    return rows * rowBytes();
  }

  /** The backing bytes, little-endian, position 0; shares content with this tensor. */
  public ByteBuffer data() {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN).clear();
  }

  public boolean isDirect() {
    return data.isDirect();
  }

  public float get(int row, int col) {
    int off = (row * cols + col) * dtype.bytesPerElement();
    switch (dtype) {
      case BF16:
        return Bf16.toFloat(data.getShort(off));
      case FP32:
        return data.getFloat(off);
      default:
        return Fp8E4M3.toFloat(data.get(off));
    }
  }

  /** Stores {@code value} rounded to this tensor's dtype (round to nearest even, as CUDA does). */
  public void set(int row, int col, float value) {
    int off = (row * cols + col) * dtype.bytesPerElement();
    switch (dtype) {
      case BF16:
        data.putShort(off, Bf16.fromFloat(value));
        break;
      case FP32:
        data.putFloat(off, value);
        break;
      default:
        data.put(off, Fp8E4M3.fromFloat(value));
    }
  }

  /** Decodes one row into {@code out[0, cols)} as floats. */
  public void readRow(int row, float[] out) {
    int base = row * rowBytes();
    switch (dtype) {
      case BF16:
        for (int c = 0; c < cols; c++) {
          out[c] = Bf16.toFloat(data.getShort(base + 2 * c));
        }
        break;
      case FP32:
        for (int c = 0; c < cols; c++) {
          out[c] = data.getFloat(base + 4 * c);
        }
        break;
      default:
        for (int c = 0; c < cols; c++) {
          out[c] = Fp8E4M3.toFloat(data.get(base + c));
        }
    }
  }

  /** Encodes {@code in[0, cols)} into one row with this tensor's rounding. */
  public void writeRow(int row, float[] in) {
    for (int c = 0; c < cols; c++) {
      set(row, c, in[c]);
    }
  }

  /** Copies one row's bytes into {@code dst} (same dtype and width) without conversion. */
  public void copyRowTo(int row, Tensor dst, int dstRow) {
    if (dst.dtype != dtype || dst.cols != cols) {
      throw new EpArgumentException("dst", "row copy needs " + dtype + " x " + cols + ", got " + dst.dtype + " x " + dst.cols);
    }
    int n = rowBytes();
    dst.data.put(dstRow * n, data, row * n, n);
  }

  /** A deep copy on the heap. */
  public Tensor copy() {
    Tensor t = allocate(dtype, rows, cols);
    t.data.put(0, data, 0, byteSize());
    return t;
  }

  /** True when both tensors have the same dtype, shape and bytes. */
  public boolean contentEquals(Tensor other) {
    return other != null && dtype == other.dtype && rows == other.rows && cols == other.cols
        && data().equals(other.data());
  }

  @Override
  public String toString() {
    return "Tensor[" + dtype + ", " + rows + " x " + cols + (isDirect() ? ", direct]" : "]");
  }
}
