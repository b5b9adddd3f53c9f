package io.epruntime.rank.backend;

import io.epruntime.protocol.ep.EpConfig;
import java.util.List;

/**
 * What a rank needs to join one generation of the world.
 *
 * @param generation number of this world, increasing; steps carry it
 * @param rank this rank
 * @param config the world's shape (world size inside)
 * @param uniqueId 128 bootstrap bytes from rank 0's backend (an {@code ncclUniqueId} for nccl)
 * @param dataEndpoints per rank, the Aeron channel its data plane subscribes on (cpu backend)
 */
public record WorldSpec(long generation, int rank, EpConfig config, byte[] uniqueId, List<String> dataEndpoints) {}
