package io.epruntime.weights;

/**
 * One expert's three matrices in one layer, as read-only views over the mapped checkpoint.
 *
 * @param layer the decoder layer
 * @param expert the global expert id
 */
public record ExpertWeights(int layer, int expert, TensorView gate, TensorView up, TensorView down) {

  public TensorView matrix(ExpertMatrix m) {
    return switch (m) {
      case GATE -> gate;
      case UP -> up;
      case DOWN -> down;
    };
  }
}
