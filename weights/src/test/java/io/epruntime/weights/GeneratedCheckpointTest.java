package io.epruntime.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.protocol.ep.EpConfig;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every family, sharded and single-file, in bf16, fp16 and fp32: generated, then loaded per rank
 * for N = 1, 2, 4, and every element of every local expert checked against the generator's
 * formula recomputed independently.
 */
class GeneratedCheckpointTest {
  private static final int EXPERTS = 8;
  private static final int HIDDEN = 32;
  private static final int INTERMEDIATE = 24;
  private static final int TOPK = 2;

  @TempDir Path tmp;

  static Stream<Arguments> checkpoints() {
    return Stream.of(
        // family, layers, dense layers, dtype, shards
        Arguments.of(ModelFamily.MIXTRAL, 2, 0, TensorDType.BF16, 3),
        Arguments.of(ModelFamily.MIXTRAL, 2, 0, TensorDType.F32, 1),
        Arguments.of(ModelFamily.QWEN2_MOE, 3, 1, TensorDType.BF16, 1),
        Arguments.of(ModelFamily.QWEN2_MOE, 2, 0, TensorDType.F32, 4),
        Arguments.of(ModelFamily.QWEN3_MOE, 2, 0, TensorDType.BF16, 4),
        Arguments.of(ModelFamily.QWEN3_MOE, 2, 0, TensorDType.F32, 2),
        Arguments.of(ModelFamily.DEEPSEEK_V2, 3, 1, TensorDType.F16, 2),
        Arguments.of(ModelFamily.DEEPSEEK_V3, 3, 1, TensorDType.BF16, 5),
        Arguments.of(ModelFamily.DEEPSEEK_V3, 2, 0, TensorDType.F32, 1));
  }

  @ParameterizedTest(name = "{0} L{1} dense{2} {3} shards {4}")
  @MethodSource("checkpoints")
  void everyRankLoadsExactlyItsExpertsAsWritten(ModelFamily family, int layers, int dense, TensorDType dtype, int shards) {
    CheckpointSpec spec = new CheckpointSpec(family, layers, dense, EXPERTS, HIDDEN, INTERMEDIATE, TOPK, 42, dtype, shards);
    CheckpointWriter.Written written = CheckpointWriter.write(spec, tmp.resolve("ckpt"));
    assertLayout(spec, written);

    List<Integer> moeLayers = new ArrayList<>();
    for (int l = dense; l < layers; l++) {
      moeLayers.add(l);
    }
    for (int ranks : new int[] {1, 2, 4}) {
      EpConfig world = Worlds.of(ranks, spec);
      int local = EXPERTS / ranks;
      for (int rank = 0; rank < ranks; rank++) {
        LoadPlan plan = CheckpointLoader.plan(written.dir(), world, rank);
        long perExpert = 3L * HIDDEN * INTERMEDIATE * dtype.bytesPerElement();
        assertEquals(moeLayers.size() * local * perExpert, plan.bytes(), "bytes of rank " + rank + "/" + ranks);
        LocalExperts experts = plan.load(plan.bytes());
        assertEquals(moeLayers, experts.layers());
        assertEquals(new ExpertShare(MoeConfig.read(written.dir()), rank, rank * local, local, dtype, plan.bytes()), experts.share());
        assertEquals(moeLayers.size() * local, experts.all().size());
        for (int layer : moeLayers) {
          for (int e = rank * local; e < (rank + 1) * local; e++) {
            assertExpertAsWritten(spec, experts.expert(layer, e));
          }
        }
      }
    }
  }

  private void assertLayout(CheckpointSpec spec, CheckpointWriter.Written written) {
    assertTrue(Files.isRegularFile(written.dir().resolve("config.json")));
    assertEquals(spec.shards() > 1, Files.isRegularFile(written.dir().resolve("model.safetensors.index.json")));
    assertEquals(spec.shards() == 1, Files.isRegularFile(written.dir().resolve("model.safetensors")));
    for (int s = 1; spec.shards() > 1 && s <= spec.shards(); s++) {
      assertTrue(Files.isRegularFile(written.dir().resolve(String.format("model-%05d-of-%05d.safetensors", s, spec.shards()))));
    }
    MoeConfig config = MoeConfig.read(written.dir());
    assertEquals(spec.family(), config.family());
    assertEquals(spec.experts(), config.experts());
    assertEquals(spec.intermediate(), config.intermediate());
    assertEquals(spec.layers(), config.layers());
  }

  private static void assertExpertAsWritten(CheckpointSpec spec, ExpertWeights w) {
    for (ExpertMatrix m : ExpertMatrix.values()) {
      TensorView view = w.matrix(m);
      String name = spec.family().naming().expert(w.layer(), w.expert(), m);
      assertEquals(name, view.name());
      assertEquals(m.shape(HIDDEN, INTERMEDIATE), view.shape());
      assertTrue(view.data().isReadOnly(), name + " is a read-only view");
      int fanIn = m == ExpertMatrix.DOWN ? INTERMEDIATE : HIDDEN;
      float[] values = view.toFloatArray();
      FloatBuffer offHeap = view.toFloatBuffer();
      assertTrue(offHeap.isDirect());
      assertEquals(HIDDEN * INTERMEDIATE, values.length);
      for (int i = 0; i < values.length; i++) {
        float expected = IndependentWeights.expected(spec.seed(), name, i, fanIn, spec.dtype());
        if (Float.floatToIntBits(expected) != Float.floatToIntBits(values[i]) || values[i] != offHeap.get(i)) {
          throw new AssertionError(name + "[" + i + "] = " + values[i] + " (off-heap " + offHeap.get(i) + "), expected " + expected);
        }
      }
    }
  }
}
