package io.epruntime.protocol.cluster;

/**
 * Rank 0's answer to {@code NewUniqueId} ({@code protocol.actor}): 128 bytes, or {@code error} when its backend could not
 * produce them.
 */
public record UniqueIdReply(long generation, byte[] uniqueId, String error) implements ToCoordinator {}
