package io.epruntime.protocol.wire;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What the coordinator sends each rank to form one generation of the world, over the rank's
 * BOOTSTRAP Aeron stream; re-sent until the rank acknowledges, so ranks see duplicates and keep the
 * highest generation. Forming takes one or two phases: {@link Phase#JOIN} hands out the unique id
 * and endpoints; where ranks answered with peer windows (GPU ranks), {@link Phase#PEERS} then hands
 * every rank the whole table of windows.
 *
 * @param generation the world's number, increasing
 * @param worldSize N
 * @param rank the rank this copy is addressed to
 * @param phase which phase of forming this record is
 * @param uniqueId backend bootstrap bytes (an ncclUniqueId, or random bytes for cpu), at most {@link #MAX_UNIQUE_ID}
 * @param dataEndpoints per rank, the {@code host:port} its Aeron subscriptions listen on
 * @param memberAddresses per rank, its Pekko member address
 * @param peerWindows {@link Phase#PEERS}: per rank, the window it acknowledged {@link Phase#JOIN}
 *     with (empty when it brought none), at most {@link #MAX_WINDOW} bytes each; none in {@link Phase#JOIN}
 */
public record BootstrapRecord(
    long generation, int worldSize, int rank, Phase phase, byte[] uniqueId, List<String> dataEndpoints,
    List<String> memberAddresses, List<byte[]> peerWindows) {

  public static final int MAX_UNIQUE_ID = 1024;
  /** Largest peer window a rank may bring (a CUDA IPC handle and where its GPU sits fit in far less). */
  public static final int MAX_WINDOW = 4096;
  static final int MAX_ADDRESS_BYTES = 1024;

  /** The phases of forming a world. */
  public enum Phase {
    /** Join: the unique id and endpoints; the rank answers with its peer window. */
    JOIN,
    /** Peers: every rank's window; the rank answers once it can reach them. */
    PEERS
  }

  /** A {@link Phase#JOIN} record. */
  public BootstrapRecord(long generation, int worldSize, int rank, byte[] uniqueId, List<String> dataEndpoints,
      List<String> memberAddresses) {
    this(generation, worldSize, rank, Phase.JOIN, uniqueId, dataEndpoints, memberAddresses, List.of());
  }

  public BootstrapRecord {
    EpArgumentException.require(generation >= 0, "generation", generation, ">= 0");
    EpArgumentException.require(worldSize >= 1 && worldSize <= EpConfig.MAX_WORLD_SIZE, "worldSize", worldSize, "1.." + EpConfig.MAX_WORLD_SIZE);
    EpArgumentException.require(rank >= 0 && rank < worldSize, "rank", rank, "0.." + (worldSize - 1));
    EpArgumentException.require(uniqueId != null && uniqueId.length <= MAX_UNIQUE_ID, "uniqueId", uniqueId == null ? null : uniqueId.length + " bytes", "0.." + MAX_UNIQUE_ID + " bytes");
    EpArgumentException.require(dataEndpoints != null && dataEndpoints.size() == worldSize, "dataEndpoints", dataEndpoints, "one endpoint per rank (" + worldSize + ")");
    EpArgumentException.require(memberAddresses != null && memberAddresses.size() <= worldSize, "memberAddresses", memberAddresses, "at most one address per rank (" + worldSize + ")");
    EpArgumentException.require(phase != null, "phase", phase, "JOIN or PEERS");
    int windows = phase == Phase.PEERS ? worldSize : 0;
    EpArgumentException.require(peerWindows != null && peerWindows.size() == windows, "peerWindows",
        peerWindows == null ? null : peerWindows.size() + " windows", windows + " windows in phase " + phase);
    List<byte[]> copies = new ArrayList<>(windows);
    for (int r = 0; r < windows; r++) {
      byte[] w = peerWindows.get(r);
      EpArgumentException.require(w != null && w.length <= MAX_WINDOW, "peerWindows[" + r + "]", w == null ? null : w.length + " bytes",
          "0.." + MAX_WINDOW + " bytes");
      copies.add(w.clone());
    }
    uniqueId = uniqueId.clone();
    dataEndpoints = List.copyOf(dataEndpoints);
    memberAddresses = List.copyOf(memberAddresses);
    peerWindows = Collections.unmodifiableList(copies);
  }

  /** Every window, copied (the list holds arrays). */
  @Override
  public List<byte[]> peerWindows() {
    return peerWindows.stream().map(byte[]::clone).toList();
  }

  /** The {@link Phase#PEERS} record that follows this one, carrying every rank's window. */
  public BootstrapRecord withPeers(List<byte[]> windows) {
    return new BootstrapRecord(generation, worldSize, rank, Phase.PEERS, uniqueId, dataEndpoints, memberAddresses, windows);
  }

  @Override
  public byte[] uniqueId() {
    return uniqueId.clone();
  }

  /** The same record addressed to another rank. */
  public BootstrapRecord forRank(int otherRank) {
    return new BootstrapRecord(generation, worldSize, otherRank, phase, uniqueId, dataEndpoints, memberAddresses, peerWindows);
  }

  public byte[] encode() {
    int windowBytes = peerWindows.stream().mapToInt(w -> 4 + w.length).sum();
    WireWriter w = WireWriter.frame(WireType.BOOTSTRAP, 256 + uniqueId.length + windowBytes);
    w.putLong(generation).putInt(worldSize).putInt(rank).putByte(phase.ordinal()).putBytes(uniqueId);
    w.putStrings(dataEndpoints).putStrings(memberAddresses);
    w.putInt(peerWindows.size());
    for (byte[] window : peerWindows) {
      w.putBytes(window);
    }
    return w.toBytes();
  }

  /** Decodes a BOOTSTRAP frame; a {@link WireFormatException} naming the field when malformed. */
  public static BootstrapRecord decode(ByteBuffer frame) {
    WireReader r = WireReader.open(frame, WireType.BOOTSTRAP);
    long generation = r.readLong("generation");
    int worldSize = r.readInt("worldSize", 1, EpConfig.MAX_WORLD_SIZE);
    int rank = r.readInt("rank", 0, worldSize - 1);
    int phase = r.readByte("phase");
    if (phase < 0 || phase >= Phase.values().length) {
      throw new WireFormatException("phase", "phase = " + phase + " is not allowed: 0 (JOIN) or 1 (PEERS)");
    }
    byte[] uniqueId = r.readBytes("uniqueId", MAX_UNIQUE_ID);
    List<String> endpoints = r.readStrings("dataEndpoints", worldSize, MAX_ADDRESS_BYTES);
    List<String> members = r.readStrings("memberAddresses", worldSize, MAX_ADDRESS_BYTES);
    int count = r.readInt("peerWindows", 0, worldSize);
    List<byte[]> windows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      windows.add(r.readBytes("peerWindows[" + i + "]", MAX_WINDOW));
    }
    r.expectEnd("BOOTSTRAP");
    try {
      return new BootstrapRecord(generation, worldSize, rank, Phase.values()[phase], uniqueId, endpoints, members, windows);
    } catch (WireFormatException e) {
      throw e;
    } catch (EpArgumentException e) {
      throw new WireFormatException(e.argument(), e.getMessage());
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof BootstrapRecord b) || generation != b.generation || worldSize != b.worldSize || rank != b.rank
        || phase != b.phase || !Arrays.equals(uniqueId, b.uniqueId) || !dataEndpoints.equals(b.dataEndpoints)
        || !memberAddresses.equals(b.memberAddresses) || peerWindows.size() != b.peerWindows.size()) {
      return false;
    }
    for (int i = 0; i < peerWindows.size(); i++) {
      if (!Arrays.equals(peerWindows.get(i), b.peerWindows.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Objects.hash(generation, worldSize, rank, phase, Arrays.hashCode(uniqueId), dataEndpoints, memberAddresses, peerWindows.size());
  }

  @Override
  public String toString() {
    return "BootstrapRecord[generation=" + generation + ", worldSize=" + worldSize + ", rank=" + rank + ", phase=" + phase
        + ", peerWindows=" + peerWindows.size() + ", uniqueId=" + uniqueId.length + " bytes, dataEndpoints=" + dataEndpoints + ", memberAddresses=" + memberAddresses + "]";
  }
}
