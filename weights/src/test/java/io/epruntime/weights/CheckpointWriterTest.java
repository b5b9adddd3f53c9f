package io.epruntime.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epruntime.protocol.EpArgumentException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointWriterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void eachFamilyNamesItsExpertsAsHuggingFaceDoes() {
    assertEquals(List.of("model.layers.3.block_sparse_moe.experts.7.w1.weight", "model.layers.3.block_sparse_moe.experts.7.w3.weight",
            "model.layers.3.block_sparse_moe.experts.7.w2.weight", "model.layers.3.block_sparse_moe.gate.weight"),
        names(ModelFamily.MIXTRAL));
    for (ModelFamily f : List.of(ModelFamily.QWEN2_MOE, ModelFamily.QWEN3_MOE, ModelFamily.DEEPSEEK_V2, ModelFamily.DEEPSEEK_V3)) {
      assertEquals(List.of("model.layers.3.mlp.experts.7.gate_proj.weight", "model.layers.3.mlp.experts.7.up_proj.weight",
          "model.layers.3.mlp.experts.7.down_proj.weight", "model.layers.3.mlp.gate.weight"), names(f));
    }
  }

  @Test
  void theCheckpointHoldsTheNonExpertTensorsARealOneHas() throws IOException {
    CheckpointSpec spec = new CheckpointSpec(ModelFamily.DEEPSEEK_V3, 3, 1, 4, 16, 8, 2, 3, TensorDType.F32, 2);
    Path dir = CheckpointWriter.write(spec, tmp.resolve("c")).dir();
    JsonNode index = JSON.readTree(dir.resolve("model.safetensors.index.json").toFile());
    Set<String> names = new TreeSet<>();
    index.get("weight_map").fieldNames().forEachRemaining(names::add);
    assertTrue(names.containsAll(List.of("model.embed_tokens.weight", "model.norm.weight", "lm_head.weight",
        "model.layers.0.mlp.gate_proj.weight", "model.layers.0.mlp.down_proj.weight", "model.layers.0.input_layernorm.weight",
        "model.layers.1.mlp.gate.weight", "model.layers.2.self_attn.o_proj.weight", "model.layers.2.post_attention_layernorm.weight")));
    assertFalse(names.contains("model.layers.0.mlp.experts.0.gate_proj.weight"), "layer 0 is dense");
    assertEquals(1 + 3 * 3 + 3 + 2 * (1 + 4 * 3) + 2, names.size());
    long dataBytes = 0;
    for (String shard : List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")) {
      ByteBuffer prefix = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(shard))).order(ByteOrder.LITTLE_ENDIAN);
      dataBytes += prefix.capacity() - 8 - prefix.getLong();
    }
    assertEquals(dataBytes, index.get("metadata").get("total_size").asLong(), "total_size counts the tensors' bytes");

    JsonNode config = JSON.readTree(dir.resolve("config.json").toFile());
    assertEquals(1, config.get("first_k_dense_replace").asInt());
    assertEquals(16, config.get("intermediate_size").asInt(), "the dense MLP's, unlike the experts' 8");
    assertEquals("float32", config.get("torch_dtype").asText());

    SafetensorsFile shard = SafetensorsFile.open(dir.resolve(index.get("weight_map").get("model.norm.weight").asText()));
    float[] norm = shard.map(List.of(shard.entry("model.norm.weight"))).get(0).toFloatArray();
    float[] ones = new float[16];
    Arrays.fill(ones, 1f);
    assertArrayEquals(ones, norm, "norm weights are initialised to 1");
  }

  @Test
  void weightsAreScaledLikeNnLinearsInitialisation() {
    CheckpointSpec spec = CheckpointSpec.allMoe(ModelFamily.MIXTRAL, 1, 2, 256, 64, 1, 9, TensorDType.F32, 1);
    LocalExperts experts = CheckpointLoader.plan(CheckpointWriter.write(spec, tmp.resolve("c")).dir(), Worlds.of(1, spec), 0)
        .load(Long.MAX_VALUE);
    float[] gate = experts.expert(0, 1).gate().toFloatArray(); // fan-in 256
    float[] down = experts.expert(0, 1).down().toFloatArray(); // fan-in 64
    assertBoundAndSpread(gate, 1 / 16f);
    assertBoundAndSpread(down, 1 / 8f);
  }

  @Test
  void theSameSeedWritesTheSameBytesAndAnotherSeedOthers() throws IOException {
    CheckpointSpec spec = CheckpointSpec.allMoe(ModelFamily.QWEN3_MOE, 2, 4, 16, 8, 2, 11, TensorDType.BF16, 2);
    Path a = CheckpointWriter.write(spec, tmp.resolve("a")).dir();
    Path b = CheckpointWriter.write(spec, tmp.resolve("b")).dir();
    Path c = CheckpointWriter.write(new CheckpointSpec(spec.family(), 2, 0, 4, 16, 8, 2, 12, TensorDType.BF16, 2), tmp.resolve("c")).dir();
    String shard = "model-00002-of-00002.safetensors";
    assertArrayEquals(Files.readAllBytes(a.resolve(shard)), Files.readAllBytes(b.resolve(shard)));
    assertFalse(Arrays.equals(Files.readAllBytes(a.resolve(shard)), Files.readAllBytes(c.resolve(shard))));
  }

  @Test
  void refusesANonEmptyDirectory() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("used"));
    Files.writeString(dir.resolve("notes.txt"), "mine");
    CheckpointSpec spec = CheckpointSpec.allMoe(ModelFamily.MIXTRAL, 1, 2, 8, 8, 1, 1, TensorDType.BF16, 1);
    EpArgumentException e = assertThrows(EpArgumentException.class, () -> CheckpointWriter.write(spec, dir));
    assertEquals("out: out = " + dir + " is not empty; allowed: a new or empty directory", e.getMessage());
    assertEquals(List.of(dir.resolve("notes.txt")), Files.list(dir).toList());
  }

  @Test
  void refusesBadSpecsNamingTheFieldAndTheAllowedValues() {
    assertRefused("dense-layers: dense-layers = 1 is not allowed: 0, since mixtral has experts in every layer",
        () -> new CheckpointSpec(ModelFamily.MIXTRAL, 2, 1, 4, 8, 8, 2, 1, TensorDType.BF16, 1));
    assertRefused("dense-layers: dense-layers = 2 is not allowed: 0..1",
        () -> new CheckpointSpec(ModelFamily.QWEN3_MOE, 2, 2, 4, 8, 8, 2, 1, TensorDType.BF16, 1));
    assertRefused("topk: topk = 5 is not allowed: 1..4 (the experts)",
        () -> CheckpointSpec.allMoe(ModelFamily.QWEN3_MOE, 1, 4, 8, 8, 5, 1, TensorDType.BF16, 1));
    assertRefused("dtype: dtype = I8 is not allowed: bf16, fp16, fp32",
        () -> CheckpointSpec.allMoe(ModelFamily.QWEN3_MOE, 1, 4, 8, 8, 2, 1, TensorDType.I8, 1));
    // 1 embedding + 3 per layer + router + 4 experts x 3 + norm + lm_head = 19 tensors.
    assertRefused("shards: shards = 20 is not allowed: 1..19 (the tensors written)",
        () -> CheckpointSpec.allMoe(ModelFamily.QWEN3_MOE, 1, 4, 8, 8, 2, 1, TensorDType.BF16, 20));
    assertRefused("--like: --like = llama is not a model family; allowed: mixtral, qwen2-moe, qwen3-moe, deepseek-v2,"
        + " deepseek-v3, deepseek (= deepseek-v3)", () -> ModelFamily.parse("--like", "llama"));
    assertRefused("--dtype: --dtype = fp8 is not an expert weight type; allowed: bf16, fp16, fp32",
        () -> TensorDType.parseExpertType("--dtype", "fp8"));
  }

  @Test
  void familiesParseByCliNameModelTypeAndAlias() {
    assertEquals(ModelFamily.DEEPSEEK_V3, ModelFamily.parse("--like", "deepseek"));
    assertEquals(ModelFamily.QWEN3_MOE, ModelFamily.parse("--like", "qwen3-moe"));
    assertEquals(ModelFamily.QWEN2_MOE, ModelFamily.parse("--like", "qwen2_moe"));
    assertEquals(ModelFamily.MIXTRAL, ModelFamily.parse("--like", "Mixtral"));
    assertEquals(TensorDType.F16, TensorDType.parseExpertType("--dtype", "fp16"));
  }

  private static List<String> names(ModelFamily f) {
    ExpertNaming n = f.naming();
    return List.of(n.expert(3, 7, ExpertMatrix.GATE), n.expert(3, 7, ExpertMatrix.UP), n.expert(3, 7, ExpertMatrix.DOWN), n.router(3));
  }

  /** Uniform in ±bound: nothing beyond it, and its extremes nearly reached (16384 samples). */
  private static void assertBoundAndSpread(float[] values, float bound) {
    float max = 0;
    double sumSquares = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
      sumSquares += v * v;
    }
    assertTrue(max <= bound && max > 0.99f * bound, "max |w| = " + max + ", bound " + bound);
    double variance = sumSquares / values.length;
    assertEquals(bound * bound / 3, variance, 0.05 * bound * bound / 3, "variance of U(-b, b) is b^2/3");
  }

  private static void assertRefused(String message, Runnable r) {
    assertEquals(message, assertThrows(EpArgumentException.class, r::run).getMessage());
  }
}
