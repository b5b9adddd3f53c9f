package io.epruntime.protocol.cluster;

/** The coordinator refuses this rank (duplicate rank number, out of range, other config); it logs the reason. */
public record RankRejected(int rank, String reason) implements ToRank {}
