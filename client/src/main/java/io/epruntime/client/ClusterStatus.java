package io.epruntime.client;

import java.util.List;

/** The coordinator's view: world state ({@code forming}, {@code bootstrapping}, {@code ready}), ranks, load. */
public record ClusterStatus(
    long generation, String worldState, int worldSize, List<RankStatus> ranks, int stepsInFlight, long stepsCompleted) {}
