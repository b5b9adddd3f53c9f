package io.epruntime.nativeep;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;

/**
 * The shape of one rank's group ({@code ep_group_config}). Checked by the native core, which names
 * the field at fault; sizes derived from it (workspace bytes) also come from the native side.
 *
 * @param maxTokensPerRank HT capacity: the most tokens any rank brings to one step
 * @param smBudget the most SMs a kernel spreads over (0 = all)
 * @param selfViaNccl send this rank's own rows through NCCL self send/recv as well (tests the path
 *     peers take; normally own rows are written in place)
 */
public record EpGroupConfig(
    int worldSize, int rank, int experts, int hidden, int topk, int maxTokensPerRank, int llMaxTokensPerRank,
    int alignment, DType dtype, int smBudget, boolean selfViaNccl) {

  /** A group for {@code rank} of a world described by {@code config}. */
  public static EpGroupConfig of(EpConfig config, int rank, int maxTokensPerRank, int smBudget, boolean selfViaNccl) {
    return new EpGroupConfig(config.worldSize(), rank, config.experts(), config.hidden(), config.topk(),
        maxTokensPerRank, config.llMaxTokensPerRank(), config.alignment(), config.dtype(), smBudget, selfViaNccl);
  }

  int[] toArray() {
    return new int[] {worldSize, rank, experts, hidden, topk, maxTokensPerRank, llMaxTokensPerRank, alignment,
        dtype.ordinal(), smBudget, selfViaNccl ? 1 : 0};
  }

  /** Device bytes {@link EpGroup#create} needs. */
  public long workspaceBytes() {
    NativeEpLibrary.ensureAvailable();
    return io.epruntime.nativeep.internal.NativeEp.workspaceBytes0(toArray());
  }
}
