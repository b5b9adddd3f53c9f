package io.epruntime.protocol.cluster;

/** Every rank acknowledged {@code generation}: steps of it may flow. */
public record WorldReady(long generation) implements ToRank {}
