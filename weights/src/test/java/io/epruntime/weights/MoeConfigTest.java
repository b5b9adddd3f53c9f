package io.epruntime.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The expert facts of each family's config.json, with the keys (and values) of the published models. */
class MoeConfigTest {
  @TempDir Path tmp;

  @Test
  void mixtral8x7b() throws IOException {
    MoeConfig c = read("""
        {"model_type": "mixtral", "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
         "num_local_experts": 8, "num_experts_per_tok": 2, "hidden_act": "silu"}""");
    assertEquals(ModelFamily.MIXTRAL, c.family());
    assertFacts(c, 8, 4096, 14336, 32, 2);
    assertEquals(range(0, 32), c.moeLayers());
  }

  @Test
  void qwen3With30bA3bKeys() throws IOException {
    MoeConfig c = read("""
        {"model_type": "qwen3_moe", "hidden_size": 2048, "intermediate_size": 6144, "moe_intermediate_size": 768,
         "num_hidden_layers": 48, "num_experts": 128, "num_experts_per_tok": 8, "hidden_act": "silu",
         "decoder_sparse_step": 1, "mlp_only_layers": []}""");
    assertEquals(ModelFamily.QWEN3_MOE, c.family());
    assertFacts(c, 128, 2048, 768, 48, 8);
    assertEquals(range(0, 48), c.moeLayers());
  }

  @Test
  void qwen2MoeDenseLayersFromMlpOnlyLayersAndSparseStep() throws IOException {
    MoeConfig c = read("""
        {"model_type": "qwen2_moe", "hidden_size": 3584, "intermediate_size": 18944, "moe_intermediate_size": 2560,
         "num_hidden_layers": 8, "num_experts": 64, "num_experts_per_tok": 8, "hidden_act": "silu",
         "decoder_sparse_step": 2, "mlp_only_layers": [5]}""");
    assertFacts(c, 64, 3584, 2560, 8, 8);
    // transformers: MoE when not in mlp_only_layers and (layer + 1) % decoder_sparse_step == 0.
    assertEquals(List.of(1, 3, 7), c.moeLayers());
  }

  @Test
  void deepseekV3DenseLayersBeforeFirstKDenseReplace() throws IOException {
    MoeConfig c = read("""
        {"model_type": "deepseek_v3", "hidden_size": 7168, "intermediate_size": 18432, "moe_intermediate_size": 2048,
         "num_hidden_layers": 61, "n_routed_experts": 256, "n_shared_experts": 1, "num_experts_per_tok": 8,
         "first_k_dense_replace": 3, "moe_layer_freq": 1, "hidden_act": "silu"}""");
    assertEquals(ModelFamily.DEEPSEEK_V3, c.family());
    assertFacts(c, 256, 7168, 2048, 61, 8);
    assertEquals(range(3, 61), c.moeLayers());
  }

  @Test
  void deepseekV2EveryMoeLayerFreqth() throws IOException {
    MoeConfig c = read("""
        {"model_type": "deepseek_v2", "hidden_size": 2048, "intermediate_size": 10944, "moe_intermediate_size": 1408,
         "num_hidden_layers": 9, "n_routed_experts": 64, "num_experts_per_tok": 6,
         "first_k_dense_replace": 1, "moe_layer_freq": 2, "hidden_act": "silu"}""");
    assertFacts(c, 64, 2048, 1408, 9, 6);
    assertEquals(List.of(2, 4, 6, 8), c.moeLayers());
  }

  @Test
  void everyMismatchWithTheWorldIsNamedWithBothValues() throws IOException {
    MoeConfig c = read("""
        {"model_type": "qwen3_moe", "hidden_size": 64, "moe_intermediate_size": 32, "num_hidden_layers": 2,
         "num_experts": 8, "num_experts_per_tok": 2, "hidden_act": "silu"}""");
    assertEquals(List.of(), c.mismatches(Worlds.of(4, 8, 64, 2)));
    assertEquals(List.of("num_experts = 8 but ep.experts = 16", "hidden_size = 64 but ep.hidden = 128",
        "num_experts_per_tok = 2 but ep.topk = 4"), c.mismatches(Worlds.of(4, 16, 128, 4)));
    CheckpointException e = assertThrows(CheckpointException.class, () -> c.requireMatches(Worlds.of(2, 8, 96, 2)));
    assertEquals(tmp.resolve("config.json") + ": disagrees with the world: hidden_size = 64 but ep.hidden = 96", e.getMessage());
  }

  @Test
  void theFamilysOwnKeysAreTheOnesRead() throws IOException {
    // A Mixtral config with Qwen's key: num_local_experts is what Mixtral needs.
    assertRefused("""
        {"model_type": "mixtral", "hidden_size": 64, "intermediate_size": 32, "num_hidden_layers": 2,
         "num_experts": 8, "num_experts_per_tok": 2, "hidden_act": "silu"}""",
        "num_local_experts = (absent) is not allowed; allowed: an integer >= 1");
    assertRefused("""
        {"model_type": "deepseek_v3", "hidden_size": 64, "intermediate_size": 32, "num_hidden_layers": 2,
         "n_routed_experts": 8, "num_experts_per_tok": 2, "hidden_act": "silu"}""",
        "moe_intermediate_size = (absent) is not allowed; allowed: an integer >= 1");
  }

  @Test
  void refusesUnknownFamiliesActivationsAndValues() throws IOException {
    assertRefused("{\"model_type\": \"llama\", \"hidden_act\": \"silu\"}",
        "model_type = llama is not a family the loader knows; allowed: mixtral, qwen2_moe, qwen3_moe, deepseek_v2, deepseek_v3");
    assertRefused("{\"model_type\": \"mixtral\", \"hidden_act\": \"gelu\"}",
        "hidden_act = gelu is not allowed; allowed: silu (the experts compute SwiGLU)");
    assertRefused("""
        {"model_type": "mixtral", "hidden_size": -1, "intermediate_size": 32, "num_hidden_layers": 2,
         "num_local_experts": 8, "num_experts_per_tok": 2, "hidden_act": "silu"}""",
        "hidden_size = -1 is not allowed; allowed: an integer >= 1");
    assertRefused("""
        {"model_type": "qwen3_moe", "hidden_size": 64, "moe_intermediate_size": 32, "num_hidden_layers": 2,
         "num_experts": 8, "num_experts_per_tok": 2, "hidden_act": "silu", "mlp_only_layers": [0, 1]}""",
        "none of its 2 layers holds experts");
    assertRefused("{\"model_type\": ", "is not valid JSON");
    CheckpointException e = assertThrows(CheckpointException.class, () -> MoeConfig.read(tmp.resolve("nowhere")));
    assertTrue(e.getMessage().endsWith("config.json: no such file"), e.getMessage());
  }

  private MoeConfig read(String json) throws IOException {
    Files.writeString(tmp.resolve("config.json"), json);
    return MoeConfig.read(tmp);
  }

  private void assertRefused(String json, String fragment) throws IOException {
    CheckpointException e = assertThrows(CheckpointException.class, () -> read(json));
    assertTrue(e.getMessage().startsWith(tmp.resolve("config.json") + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  private static void assertFacts(MoeConfig c, int experts, int hidden, int intermediate, int layers, int topk) {
    assertEquals(List.of(experts, hidden, intermediate, layers, topk, "silu"),
        List.of(c.experts(), c.hidden(), c.intermediate(), c.layers(), c.topk(), c.activation()));
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }
}
