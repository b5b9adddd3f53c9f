package io.epruntime.protocol.wire;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What the coordinator sends each rank to form one generation of the world, over the rank's
 * BOOTSTRAP Aeron stream; re-sent until the rank acknowledges, so ranks see duplicates and keep the
 * highest generation.
 *
 * @param generation the world's number, increasing
 * @param worldSize N
 * @param rank the rank this copy is addressed to
 * @param uniqueId backend bootstrap bytes (an ncclUniqueId, or random bytes for cpu), at most {@link #MAX_UNIQUE_ID}
 * @param dataEndpoints per rank, the {@code host:port} its Aeron subscriptions listen on
 * @param memberAddresses per rank, its Pekko member address
 */
public record BootstrapRecord(
    long generation, int worldSize, int rank, byte[] uniqueId, List<String> dataEndpoints, List<String> memberAddresses) {

  public static final int MAX_UNIQUE_ID = 1024;
  static final int MAX_ADDRESS_BYTES = 1024;

  public BootstrapRecord {
    EpArgumentException.require(generation >= 0, "generation", generation, ">= 0");
    EpArgumentException.require(worldSize >= 1 && worldSize <= EpConfig.MAX_WORLD_SIZE, "worldSize", worldSize, "1.." + EpConfig.MAX_WORLD_SIZE);
    EpArgumentException.require(rank >= 0 && rank < worldSize, "rank", rank, "0.." + (worldSize - 1));
    EpArgumentException.require(uniqueId != null && uniqueId.length <= MAX_UNIQUE_ID, "uniqueId", uniqueId == null ? null : uniqueId.length + " bytes", "0.." + MAX_UNIQUE_ID + " bytes");
    EpArgumentException.require(dataEndpoints != null && dataEndpoints.size() == worldSize, "dataEndpoints", dataEndpoints, "one endpoint per rank (" + worldSize + ")");
    EpArgumentException.require(memberAddresses != null && memberAddresses.size() <= worldSize, "memberAddresses", memberAddresses, "at most one address per rank (" + worldSize + ")");
    uniqueId = uniqueId.clone();
    dataEndpoints = List.copyOf(dataEndpoints);
    memberAddresses = List.copyOf(memberAddresses);
  }

  @Override
  public byte[] uniqueId() {
    return uniqueId.clone();
  }

  /** The same record addressed to another rank. */
  public BootstrapRecord forRank(int otherRank) {
    return new BootstrapRecord(generation, worldSize, otherRank, uniqueId, dataEndpoints, memberAddresses);
  }

  public byte[] encode() {
    WireWriter w = WireWriter.frame(WireType.BOOTSTRAP, 256 + uniqueId.length);
    w.putLong(generation).putInt(worldSize).putInt(rank).putBytes(uniqueId);
    w.putStrings(dataEndpoints).putStrings(memberAddresses);
    return w.toBytes();
  }

  /** Decodes a BOOTSTRAP frame; a {@link WireFormatException} naming the field when malformed. */
  public static BootstrapRecord decode(ByteBuffer frame) {
    WireReader r = WireReader.open(frame, WireType.BOOTSTRAP);
    long generation = r.readLong("generation");
    int worldSize = r.readInt("worldSize", 1, EpConfig.MAX_WORLD_SIZE);
    int rank = r.readInt("rank", 0, worldSize - 1);
    byte[] uniqueId = r.readBytes("uniqueId", MAX_UNIQUE_ID);
    List<String> endpoints = r.readStrings("dataEndpoints", worldSize, MAX_ADDRESS_BYTES);
    List<String> members = r.readStrings("memberAddresses", worldSize, MAX_ADDRESS_BYTES);
    r.expectEnd("BOOTSTRAP");
    try {
      return new BootstrapRecord(generation, worldSize, rank, uniqueId, endpoints, members);
    } catch (WireFormatException e) {
      throw e;
    } catch (EpArgumentException e) {
      throw new WireFormatException(e.argument(), e.getMessage());
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BootstrapRecord b && generation == b.generation && worldSize == b.worldSize && rank == b.rank
        && Arrays.equals(uniqueId, b.uniqueId) && dataEndpoints.equals(b.dataEndpoints) && memberAddresses.equals(b.memberAddresses);
  }

  @Override
  public int hashCode() {
    return Objects.hash(generation, worldSize, rank, Arrays.hashCode(uniqueId), dataEndpoints, memberAddresses);
  }

  @Override
  public String toString() {
    return "BootstrapRecord[generation=" + generation + ", worldSize=" + worldSize + ", rank=" + rank
        + ", uniqueId=" + uniqueId.length + " bytes, dataEndpoints=" + dataEndpoints + ", memberAddresses=" + memberAddresses + "]";
  }
}
