package io.epruntime.weights;

/**
 * Where a model family keeps its experts' matrices: the one piece of naming a new family must
 * supply. Most families differ only in the MoE block's module name and the three matrices' names,
 * which {@link #of} turns into the Hugging Face layout
 * {@code model.layers.{l}.<moe>.experts.{e}.<matrix>.weight}.
 */
public interface ExpertNaming {

  /** The tensor name of {@code matrix} of expert {@code expert} in decoder layer {@code layer}. */
  String expert(int layer, int expert, ExpertMatrix matrix);

  /** The router's {@code [E, H]} weight in {@code layer}; written by the generator, never loaded here. */
  String router(int layer);

  /** The Hugging Face layout with MoE block {@code moeModule} and the given matrix names. */
  static ExpertNaming of(String moeModule, String gate, String up, String down) {
    return new ExpertNaming() {
      @Override
      public String expert(int layer, int expert, ExpertMatrix matrix) {
        String m = switch (matrix) {
          case GATE -> gate;
          case UP -> up;
          case DOWN -> down;
        };
        return "model.layers." + layer + "." + moeModule + ".experts." + expert + "." + m + ".weight";
      }

      @Override
      public String router(int layer) {
        return "model.layers." + layer + "." + moeModule + ".gate.weight";
      }
    };
  }
}
