package io.epruntime.weights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One rank's checked share of a checkpoint, not yet mapped: which tensors, from which shards, and
 * the bytes they will occupy. {@link #load(long)} maps them once the budget allows.
 */
public final class LoadPlan {
  /** One expert matrix to map. */
  record Planned(int layer, int expert, ExpertMatrix matrix, SafetensorsFile shard, TensorEntry entry) {}

  private final Path dir;
  private final ExpertShare share;
  private final List<Planned> planned;

  LoadPlan(Path dir, MoeConfig config, int rank, int firstExpert, int expertCount, TensorDType dtype, List<Planned> planned) {
    this.dir = dir;
    this.planned = List.copyOf(planned);
    long bytes = planned.stream().mapToLong(p -> p.entry().byteSize()).sum();
    this.share = new ExpertShare(config, rank, firstExpert, expertCount, dtype, bytes);
  }

  /** The rank's experts and the bytes they will occupy, in the checkpoint's dtype. */
  public ExpertShare share() {
    return share;
  }

  /** The bytes this rank's expert matrices occupy in the checkpoint's dtype, as mapped. */
  public long bytes() {
    return share.bytes();
  }

  /**
   * Maps every planned matrix, read-only, after checking that {@link #bytes()} fits
   * {@code budgetBytes}; fails naming both numbers otherwise, before anything is mapped.
   */
  public LocalExperts load(long budgetBytes) {
    if (share.bytes() > budgetBytes) {
      throw CheckpointException.file(dir, "rank " + share.rank() + "'s experts need " + share.bytes() + " bytes ("
          + share.config().moeLayers().size() + " MoE layers x " + share.expertCount() + " experts x 3 " + share.dtype()
          + " matrices), budget " + budgetBytes + " bytes");
    }
    Map<SafetensorsFile, List<Planned>> byShard = new LinkedHashMap<>();
    for (Planned p : planned) {
      byShard.computeIfAbsent(p.shard(), s -> new ArrayList<>()).add(p);
    }
    Map<List<Integer>, Map<ExpertMatrix, TensorView>> byExpert = new LinkedHashMap<>();
    for (Planned p : planned) {
      byExpert.put(List.of(p.layer(), p.expert()), new EnumMap<>(ExpertMatrix.class));
    }
    for (Map.Entry<SafetensorsFile, List<Planned>> e : byShard.entrySet()) {
      List<TensorView> mapped = e.getKey().map(e.getValue().stream().map(Planned::entry).toList());
      for (int i = 0; i < mapped.size(); i++) {
        Planned p = e.getValue().get(i);
        byExpert.get(List.of(p.layer(), p.expert())).put(p.matrix(), mapped.get(i));
      }
    }
    List<ExpertWeights> experts = new ArrayList<>();
    byExpert.forEach((key, m) -> experts.add(
        new ExpertWeights(key.get(0), key.get(1), m.get(ExpertMatrix.GATE), m.get(ExpertMatrix.UP), m.get(ExpertMatrix.DOWN))));
    return new LocalExperts(share, experts);
  }
}
