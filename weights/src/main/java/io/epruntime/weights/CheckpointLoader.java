package io.epruntime.weights;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Plans one rank's share of a checkpoint: experts {@code [r*E/N, (r+1)*E/N)} of every MoE layer.
 * Planning reads {@code config.json}, checks it against the world, finds every needed tensor
 * through the index and checks each shard's header, each tensor's shape and dtype; only then can
 * {@link LoadPlan#load(long)} map anything. So every bad checkpoint fails here, whole.
 *
 * <pre>
 *   config.json ──MoeConfig──▶ check vs EpConfig
 *   index.json / model.safetensors ──CheckpointFiles──▶ shard headers ──▶ LoadPlan ──load(budget)──▶ LocalExperts
 * </pre>
 */
public final class CheckpointLoader {
  private CheckpointLoader() {}

  /** Everything rank {@code rank} of {@code world} will map from checkpoint directory {@code dir}, checked. */
  public static LoadPlan plan(Path dir, EpConfig world, int rank) {
    EpArgumentException.require(rank >= 0 && rank < world.worldSize(), "rank", rank, "0.." + (world.worldSize() - 1));
    MoeConfig config = MoeConfig.read(dir);
    config.requireMatches(world);
    CheckpointFiles files = CheckpointFiles.of(dir);
    int first = world.firstExpertOf(rank);
    List<LoadPlan.Planned> planned = new ArrayList<>();
    CheckpointFiles.Located reference = null;
    for (int layer : config.moeLayers()) {
      for (int expert = first; expert < first + world.localExperts(); expert++) {
        for (ExpertMatrix matrix : ExpertMatrix.values()) {
          CheckpointFiles.Located found = files.locate(config.family().naming().expert(layer, expert, matrix));
          requireShape(config, matrix, found);
          requireExpertType(found);
          if (reference == null) {
            reference = found;
          }
          requireSameType(reference, found);
          planned.add(new LoadPlan.Planned(layer, expert, matrix, found.shard(), found.entry()));
        }
      }
    }
    return new LoadPlan(dir, config, rank, first, world.localExperts(), reference.entry().dtype(), planned);
  }

  private static void requireShape(MoeConfig config, ExpertMatrix matrix, CheckpointFiles.Located found) {
    List<Long> expected = matrix.shape(config.hidden(), config.intermediate());
    if (!found.entry().shape().equals(expected)) {
      String dims = matrix == ExpertMatrix.DOWN
          ? "[hidden_size, " + config.family().intermediateKey() + "]"
          : "[" + config.family().intermediateKey() + ", hidden_size]";
      throw CheckpointException.tensor(found.shard().path(), found.entry().name(), "shape = " + found.entry().shape()
          + " but " + MoeConfig.FILE_NAME + " needs " + expected + " " + dims + " for the " + matrix.name().toLowerCase(Locale.ROOT)
          + " matrix");
    }
  }

  private static void requireExpertType(CheckpointFiles.Located found) {
    if (!TensorDType.EXPERT_TYPES.contains(found.entry().dtype())) {
      throw CheckpointException.tensor(found.shard().path(), found.entry().name(), "dtype = " + found.entry().dtype()
          + " is not allowed for expert weights; allowed: " + TensorDType.expertTypeNames());
    }
  }

  /** One dtype for all of a rank's experts, so the compute is planned once. */
  private static void requireSameType(CheckpointFiles.Located reference, CheckpointFiles.Located found) {
    if (found.entry().dtype() != reference.entry().dtype()) {
      throw CheckpointException.tensor(found.shard().path(), found.entry().name(), "dtype = " + found.entry().dtype()
          + " but " + reference.entry().name() + " in " + reference.shard().path() + " is " + reference.entry().dtype()
          + "; every expert matrix must have the same dtype");
    }
  }
}
