package io.epruntime.weights;

import java.util.ArrayList;
import java.util.List;

/**
 * One tensor a generated checkpoint holds: the experts, plus the non-expert tensors a real
 * checkpoint has (embeddings, norms, an attention projection, routers, dense MLPs), which the
 * loader must pass over.
 *
 * @param fanIn the initialisation scale (see {@link GeneratedWeights}); 0 for a norm weight, all ones
 */
record GeneratedTensor(String name, List<Long> shape, int fanIn) {

  /** A small vocabulary: the embeddings are there to be skipped, not used. */
  static final int VOCAB = 32;

  GeneratedTensor {
    shape = List.copyOf(shape);
  }

  long elementCount() {
    return shape.stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
  }

  /** Every tensor of the checkpoint, in file order: layer by layer, as Hugging Face writes them. */
  static List<GeneratedTensor> all(ModelFamily family, int layers, int denseLayers, int experts, int hidden, int intermediate) {
    List<GeneratedTensor> all = new ArrayList<>();
    all.add(matrix("model.embed_tokens.weight", VOCAB, hidden));
    for (int l = 0; l < layers; l++) {
      String prefix = "model.layers." + l + ".";
      all.add(norm(prefix + "input_layernorm.weight", hidden));
      all.add(matrix(prefix + "self_attn.o_proj.weight", hidden, hidden));
      all.add(norm(prefix + "post_attention_layernorm.weight", hidden));
      if (l < denseLayers) {
        int dense = CheckpointSpec.denseIntermediate(intermediate);
        all.add(matrix(prefix + "mlp.gate_proj.weight", dense, hidden));
        all.add(matrix(prefix + "mlp.up_proj.weight", dense, hidden));
        all.add(matrix(prefix + "mlp.down_proj.weight", hidden, dense));
        continue;
      }
      all.add(matrix(family.naming().router(l), experts, hidden));
      for (int e = 0; e < experts; e++) {
        for (ExpertMatrix m : ExpertMatrix.values()) {
          List<Long> shape = m.shape(hidden, intermediate);
          all.add(new GeneratedTensor(family.naming().expert(l, e, m), shape, m.fanIn(hidden, intermediate)));
        }
      }
    }
    all.add(norm("model.norm.weight", hidden));
    all.add(matrix("lm_head.weight", VOCAB, hidden));
    return all;
  }

  /** An {@code nn.Linear} weight {@code [out, in]}. */
  private static GeneratedTensor matrix(String name, int out, int in) {
    return new GeneratedTensor(name, List.of((long) out, (long) in), in);
  }

  private static GeneratedTensor norm(String name, int hidden) {
    return new GeneratedTensor(name, List.of((long) hidden), 0);
  }
}
