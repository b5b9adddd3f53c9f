package io.epruntime.client;

/** One rank as the coordinator last saw it. */
public record RankStatus(int rank, String address, String health, long lastSeq) {}
