package io.epruntime.nativeep;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;

/**
 * The shape of one rank's group ({@code ep_group_config}). Checked by the native core, which names
 * the field at fault; sizes derived from it (workspace bytes) also come from the native side.
 *
 * @param maxTokensPerRank HT capacity: the most tokens any rank brings to one step
 * @param smBudget the most SMs a kernel spreads over (0 = all)
 * @param path how rows move between ranks
 */
public record EpGroupConfig(
    int worldSize, int rank, int experts, int hidden, int topk, int maxTokensPerRank, int llMaxTokensPerRank,
    int alignment, DType dtype, int smBudget, DataPath path) {

  /** How a group's rows move between ranks (the C core's group flags). */
  public enum DataPath {
    /** NCCL send/recv between ranks (the host-API path, for ranks on different hosts); own rows in place. */
    NCCL(0),
    /** As {@link #NCCL}, with this rank's own rows through NCCL self send/recv too (tests the path peers' rows take). */
    NCCL_SELF(1),
    /**
     * Straight into the ranks' workspaces, mapped into each other ({@link EpGroup#setPeers}): ranks
     * on one host, on one GPU or several.
     */
    PEER_WINDOWS(2);

    private final int flag;

    DataPath(int flag) {
      this.flag = flag;
    }
  }

  public EpGroupConfig {
    if (path == null) {
      throw new io.epruntime.protocol.EpArgumentException("path", "path is required; allowed: NCCL, NCCL_SELF, PEER_WINDOWS");
    }
  }

  /** A group for {@code rank} of a world described by {@code config}. */
  public static EpGroupConfig of(EpConfig config, int rank, int maxTokensPerRank, int smBudget, DataPath path) {
    return new EpGroupConfig(config.worldSize(), rank, config.experts(), config.hidden(), config.topk(),
        maxTokensPerRank, config.llMaxTokensPerRank(), config.alignment(), config.dtype(), smBudget, path);
  }

  /** The same group for the other data path (a peer-window group falls back to NCCL across hosts). */
  public EpGroupConfig withPath(DataPath p) {
    return new EpGroupConfig(worldSize, rank, experts, hidden, topk, maxTokensPerRank, llMaxTokensPerRank, alignment,
        dtype, smBudget, p);
  }

  int[] toArray() {
    return new int[] {worldSize, rank, experts, hidden, topk, maxTokensPerRank, llMaxTokensPerRank, alignment,
        dtype.ordinal(), smBudget, path.flag};
  }

  /** Device bytes {@link EpGroup#create} needs. */
  public long workspaceBytes() {
    NativeEpLibrary.ensureAvailable();
    return io.epruntime.nativeep.internal.NativeEp.workspaceBytes0(toArray());
  }
}
