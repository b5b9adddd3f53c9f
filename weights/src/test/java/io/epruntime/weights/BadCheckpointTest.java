package io.epruntime.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each bad checkpoint of issue 13 fails in {@link CheckpointLoader#plan} (or, for the budget, in
 * {@link LoadPlan#load} before mapping), naming the file and the tensor.
 */
class BadCheckpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CheckpointSpec SPEC =
      CheckpointSpec.allMoe(ModelFamily.QWEN3_MOE, 2, 8, 32, 16, 2, 5, TensorDType.BF16, 3);
  private static final EpConfig WORLD = Worlds.of(2, SPEC);
  /** Held by rank 1 of 2 (experts 4..7). */
  private static final String UP_5 = "model.layers.1.mlp.experts.5.up_proj.weight";
  private static final String GATE_6 = "model.layers.1.mlp.experts.6.gate_proj.weight";

  @TempDir Path tmp;
  Path dir;

  @BeforeEach
  void generate() {
    dir = CheckpointWriter.write(SPEC, tmp.resolve("ckpt")).dir();
    CheckpointLoader.plan(dir, WORLD, 1); // the checkpoint itself is good
  }

  @Test
  void aTensorTheIndexDoesNotName() throws IOException {
    Path index = dir.resolve("model.safetensors.index.json");
    ObjectNode json = (ObjectNode) JSON.readTree(index.toFile());
    ((ObjectNode) json.get("weight_map")).remove(UP_5);
    JSON.writeValue(index.toFile(), json);
    CheckpointException e = refused(1);
    assertEquals(index + ": tensor " + UP_5 + ": is missing: weight_map does not name it", e.getMessage());
    CheckpointLoader.plan(dir, WORLD, 0); // rank 0 holds experts 0..3 and needs nothing missing
  }

  @Test
  void aTensorItsShardDoesNotHold() throws IOException {
    Path shard = shardOf(UP_5);
    RawSafetensors.editHeader(shard, header -> header.remove(UP_5));
    CheckpointException e = refused(1);
    assertEquals(shard + ": tensor " + UP_5 + ": is missing, though model.safetensors.index.json maps it to this shard",
        e.getMessage());
  }

  @Test
  void aTensorASingleFileCheckpointLacks() {
    Path single = CheckpointWriter.write(SPEC.withShards(1), tmp.resolve("single")).dir();
    Path file = single.resolve("model.safetensors");
    RawSafetensors.editHeader(file, header -> header.remove(GATE_6));
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointLoader.plan(single, WORLD, 1));
    assertEquals(file + ": tensor " + GATE_6 + ": is missing from the checkpoint", e.getMessage());
  }

  @Test
  void aWrongShape() throws IOException {
    Path shard = shardOf(GATE_6);
    // Transposed: the same bytes, so the file itself is consistent; only the layout is wrong.
    RawSafetensors.editHeader(shard, header -> ((ObjectNode) header.get(GATE_6)).putArray("shape").add(32).add(16));
    CheckpointException e = refused(1);
    assertEquals(shard + ": tensor " + GATE_6 + ": shape = [32, 16] but config.json needs [16, 32]"
        + " [moe_intermediate_size, hidden_size] for the gate matrix", e.getMessage());
  }

  @Test
  void aDtypeUnlikeTheOtherExperts() throws IOException {
    Path shard = shardOf(GATE_6);
    RawSafetensors.editHeader(shard, header -> ((ObjectNode) header.get(GATE_6)).put("dtype", "F16"));
    CheckpointException e = refused(1);
    assertEquals(shard, e.file());
    assertEquals(GATE_6, e.tensor());
    assertTrue(e.getMessage().contains("dtype = F16 but model.layers.0.mlp.experts.4.gate_proj.weight in "), e.getMessage());
    assertTrue(e.getMessage().endsWith(" is BF16; every expert matrix must have the same dtype"), e.getMessage());
  }

  @Test
  void aDtypeExpertsCannotHave() throws IOException {
    Path shard = shardOf(GATE_6);
    RawSafetensors.editHeader(shard, header -> ((ObjectNode) header.get(GATE_6)).put("dtype", "I16"));
    CheckpointException e = refused(1);
    assertEquals(shard + ": tensor " + GATE_6 + ": dtype = I16 is not allowed for expert weights; allowed: BF16, F16, F32",
        e.getMessage());
  }

  @Test
  void aTruncatedShard() throws IOException {
    Path shard = dir.resolve("model-00003-of-00003.safetensors");
    RawSafetensors.truncate(shard, 100);
    CheckpointException e = refused(1);
    assertEquals(shard, e.file());
    assertTrue(e.tensor() != null && e.getMessage().contains("tensor " + e.tensor() + ": data_offsets = "), e.getMessage());
    assertTrue(e.getMessage().contains("reach past the end of the file"), e.getMessage());
    assertTrue(e.getMessage().endsWith("(a truncated shard?)"), e.getMessage());
  }

  @Test
  void anIndexNamingAMissingShard() throws IOException {
    Path shard = dir.resolve("model-00002-of-00003.safetensors");
    Files.delete(shard);
    CheckpointException e = refused(0); // every rank refuses: the checkpoint is incomplete
    assertEquals(dir.resolve("model.safetensors.index.json"), e.file());
    assertTrue(e.tensor() != null && e.getMessage().contains("tensor " + e.tensor() + ": "), e.getMessage());
    assertTrue(e.getMessage().endsWith(
        "weight_map names shard model-00002-of-00003.safetensors, which does not exist in " + dir), e.getMessage());
  }

  @Test
  void aConfigThatDisagreesWithTheWorld() {
    EpConfig world = Worlds.of(2, 16, 64, 2);
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointLoader.plan(dir, world, 0));
    assertEquals(dir.resolve("config.json") + ": disagrees with the world: num_experts = 8 but ep.experts = 16;"
        + " hidden_size = 32 but ep.hidden = 64", e.getMessage());
  }

  @Test
  void notEnoughMemory() {
    LoadPlan plan = CheckpointLoader.plan(dir, WORLD, 1);
    long bytes = 2L * 4 * 3 * 32 * 16 * 2; // MoE layers x local experts x matrices x H x I x bf16
    assertEquals(bytes, plan.bytes());
    assertEquals(2 * bytes, plan.share().bytesAsFp32());
    CheckpointException e = assertThrows(CheckpointException.class, () -> plan.load(bytes - 1));
    assertEquals(dir + ": rank 1's experts need " + bytes + " bytes (2 MoE layers x 4 experts x 3 BF16 matrices), budget "
        + (bytes - 1) + " bytes", e.getMessage());
    assertEquals(8, plan.load(bytes).all().size());
  }

  @Test
  void noSafetensorsAtAll() throws IOException {
    Path bare = Files.createDirectory(tmp.resolve("bare"));
    Files.copy(dir.resolve("config.json"), bare.resolve("config.json"));
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointLoader.plan(bare, WORLD, 0));
    assertEquals(bare + ": has neither model.safetensors.index.json (a sharded checkpoint) nor model.safetensors (a single file)",
        e.getMessage());
  }

  @Test
  void aRankOutsideTheWorld() {
    EpArgumentException e = assertThrows(EpArgumentException.class, () -> CheckpointLoader.plan(dir, WORLD, 2));
    assertEquals("rank: rank = 2 is not allowed: 0..1", e.getMessage());
  }

  @Test
  void anExpertOrLayerThisRankDoesNotHold() {
    LocalExperts experts = CheckpointLoader.plan(dir, WORLD, 1).load(Long.MAX_VALUE);
    assertEquals("expert: expert = 3 is not on rank 1; allowed: 4..7",
        assertThrows(EpArgumentException.class, () -> experts.expert(0, 3)).getMessage());
    assertEquals("layer: layer = 2 has no experts; allowed: [0, 1]",
        assertThrows(EpArgumentException.class, () -> experts.expert(2, 4)).getMessage());
  }

  private CheckpointException refused(int rank) {
    return assertThrows(CheckpointException.class, () -> CheckpointLoader.plan(dir, WORLD, rank));
  }

  private Path shardOf(String tensor) throws IOException {
    return dir.resolve(JSON.readTree(dir.resolve("model.safetensors.index.json").toFile()).get("weight_map").get(tensor).asText());
  }
}
