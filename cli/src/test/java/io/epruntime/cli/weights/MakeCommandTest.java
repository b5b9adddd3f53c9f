package io.epruntime.cli.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.cli.EpCli;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.weights.CheckpointLoader;
import io.epruntime.weights.CheckpointSpec;
import io.epruntime.weights.CheckpointWriter;
import io.epruntime.weights.LocalExperts;
import io.epruntime.weights.ModelFamily;
import io.epruntime.weights.TensorDType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ep weights make} end to end through picocli, in-process. */
class MakeCommandTest {
  @TempDir Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void writesTheSameCheckpointAsTheApiAndItLoadsPerRank() throws IOException {
    Path dir = tmp.resolve("qwen3");
    int code = ep("weights", "make", "--like", "qwen3-moe", "--layers", "2", "--experts", "8", "--hidden", "32",
        "--intermediate", "16", "--topk", "2", "--seed", "7", "--dtype", "bf16", "--shards", "3", "--out", dir.toString());
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().startsWith("ep weights make: wrote " + dir + ": qwen3-moe, 2 layers (2 with experts), E 8, H 32,"
        + " I 16, K 2, bf16, seed 7; 59 tensors, "), out.toString());
    assertTrue(out.toString().endsWith(" bytes in 3 safetensors file(s)" + System.lineSeparator()), out.toString());

    Path api = CheckpointWriter.write(
        CheckpointSpec.allMoe(ModelFamily.QWEN3_MOE, 2, 8, 32, 16, 2, 7, TensorDType.BF16, 3), tmp.resolve("api")).dir();
    assertEquals(fileNames(api), fileNames(dir));
    for (String name : fileNames(api)) {
      assertArrayEquals(Files.readAllBytes(api.resolve(name)), Files.readAllBytes(dir.resolve(name)), name);
    }

    EpConfig world = new EpConfig(4, 8, 32, 2, 0, 1, DType.BF16);
    LocalExperts rank3 = CheckpointLoader.plan(dir, world, 3).load(Long.MAX_VALUE);
    assertEquals(List.of(0, 1), rank3.layers());
    assertEquals("model.layers.1.mlp.experts.7.down_proj.weight", rank3.expert(1, 7).down().name());
  }

  @Test
  void deepseekWithDenseLayersInFp32() {
    Path dir = tmp.resolve("ds");
    assertEquals(0, ep("weights", "make", "--like", "deepseek", "--layers", "3", "--dense-layers", "1", "--experts", "4",
        "--hidden", "16", "--intermediate", "8", "--topk", "2", "--dtype", "fp32", "--out", dir.toString()), err.toString());
    LocalExperts all = CheckpointLoader.plan(dir, new EpConfig(1, 4, 16, 2, 0, 1, DType.BF16), 0).load(Long.MAX_VALUE);
    assertEquals(List.of(1, 2), all.layers());
    assertEquals(TensorDType.F32, all.share().dtype());
    assertTrue(Files.isRegularFile(dir.resolve("model.safetensors")));
  }

  @Test
  void badFlagsExitWithUsageNamingTheAllowedValues() throws IOException {
    assertEquals(2, ep("weights", "make", "--like", "llama", "--out", tmp.resolve("x").toString()));
    assertTrue(err.toString().contains("--like = llama is not a model family; allowed: mixtral, qwen2-moe, qwen3-moe"), err.toString());

    assertEquals(2, ep("weights", "make", "--like", "mixtral", "--dtype", "fp8", "--out", tmp.resolve("y").toString()));
    assertTrue(err.toString().contains("--dtype = fp8 is not an expert weight type; allowed: bf16, fp16, fp32"), err.toString());

    assertEquals(2, ep("weights", "make", "--like", "mixtral", "--dense-layers", "1", "--out", tmp.resolve("z").toString()));
    assertTrue(err.toString().contains("dense-layers = 1 is not allowed: 0, since mixtral has experts in every layer"), err.toString());

    Path used = Files.createDirectories(tmp.resolve("used"));
    Files.writeString(used.resolve("keep.txt"), "x");
    assertEquals(2, ep("weights", "make", "--like", "mixtral", "--out", used.toString()));
    assertTrue(err.toString().contains("is not empty; allowed: a new or empty directory"), err.toString());

    assertEquals(2, ep("weights"));
    assertTrue(err.toString().contains("a subcommand is required: make or help"), err.toString());
  }

  private int ep(String... args) {
    return EpCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  private static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
