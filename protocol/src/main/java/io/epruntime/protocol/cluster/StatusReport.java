package io.epruntime.protocol.cluster;

import java.util.List;

/** Cluster status for clients and operators. */
public record StatusReport(
    long generation, String worldState, int worldSize, List<RankInfo> ranks, int stepsInFlight, long stepsCompleted)
    implements ToClient {

  /** One rank as last seen by the coordinator. */
  public record RankInfo(int rank, String address, String health, long lastSeq) {}
}
