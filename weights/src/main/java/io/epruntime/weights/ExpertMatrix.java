package io.epruntime.weights;

import java.util.List;

/**
 * The three matrices of a SwiGLU expert, {@code y = down(silu(gate x) * (up x))}, as
 * {@code nn.Linear} weights ({@code [out, in]}): gate and up are {@code [I, H]}, down is
 * {@code [H, I]}.
 */
public enum ExpertMatrix {
  /** Mixtral's w1. */
  GATE,
  /** Mixtral's w3. */
  UP,
  /** Mixtral's w2. */
  DOWN;

  /** The shape a checkpoint must store for hidden size {@code h} and expert intermediate size {@code i}. */
  public List<Long> shape(int hidden, int intermediate) {
    return this == DOWN ? List.of((long) hidden, (long) intermediate) : List.of((long) intermediate, (long) hidden);
  }

  /** Inputs each output sums over: the columns of the matrix. */
  public int fanIn(int hidden, int intermediate) {
    return this == DOWN ? intermediate : hidden;
  }
}
