package io.epruntime.protocol.cluster;

/**
 * The generation is over (a rank was lost, hung or failed): abort the backend for it, fail its
 * in-flight steps with a retriable error and drop its queued ones.
 */
public record EndGeneration(long generation, String reason) implements ToRank {}
