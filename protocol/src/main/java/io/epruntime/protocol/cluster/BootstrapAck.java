package io.epruntime.protocol.cluster;

/**
 * A rank joined (or failed to join, {@code error} non-null) the world of {@code generation} after
 * receiving its bootstrap record over Aeron.
 */
public record BootstrapAck(long generation, int rank, String error) implements ToCoordinator {}
