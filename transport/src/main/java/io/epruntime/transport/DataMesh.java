package io.epruntime.transport;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.wire.MeshFrame;
import io.epruntime.protocol.wire.WireFormatException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cpu backend's rank-to-rank data plane for one generation: payloads tagged (generation, seq,
 * phase, source) go to a peer's DATA stream, chunked by the transport, or straight to
 * {@code selfDelivery} when the destination is this rank. Receiving is separate
 * ({@link #listen}) and lives as long as the backend, so frames of a generation that a peer starts
 * before this rank has joined it are not lost; the backend files them by generation.
 */
public final class DataMesh implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DataMesh.class);

  private final AeronNode node;
  private final long generation;
  private final int rank;
  private final List<String> endpoints;
  private final Consumer<MeshFrame> selfDelivery;
  private volatile boolean closed;

  /**
   * @param dataEndpoints per rank, the {@code host:port} of its node (index = rank)
   * @param selfDelivery receives this rank's payloads to itself, on the sending thread
   */
  public DataMesh(AeronNode node, long generation, int rank, List<String> dataEndpoints, Consumer<MeshFrame> selfDelivery) {
    EpArgumentException.require(dataEndpoints != null && !dataEndpoints.isEmpty(), "dataEndpoints", dataEndpoints, "one endpoint per rank");
    EpArgumentException.require(rank >= 0 && rank < dataEndpoints.size(), "rank", rank, "0.." + (dataEndpoints.size() - 1));
    this.node = node;
    this.generation = generation;
    this.rank = rank;
    this.endpoints = List.copyOf(dataEndpoints);
    this.selfDelivery = selfDelivery;
  }

  /**
   * Receives every well-formed MESH frame on {@code node}'s DATA stream, on the transport thread;
   * malformed ones are logged and dropped. Close the handle to stop.
   */
  public static AutoCloseable listen(AeronNode node, Consumer<MeshFrame> consumer) {
    return node.listen(Streams.DATA, frame -> {
      MeshFrame f;
      try {
        f = MeshFrame.decode(frame);
      } catch (WireFormatException e) {
        LOG.warn("DATA stream on {}: rejected a {}-byte frame: {}", node.endpoint(), frame.remaining(), e.getMessage());
        return;
      }
      consumer.accept(f);
    });
  }

  public long generation() {
    return generation;
  }

  public int rank() {
    return rank;
  }

  public int worldSize() {
    return endpoints.size();
  }

  /**
   * Sends {@code payload} (its remaining bytes) to {@code destination}. The stage completes when the
   * bytes are handed to Aeron (or delivered, for this rank) and fails with {@link TransportException}
   * when the peer does not take them within the send timeout or the mesh is closed.
   */
  public CompletionStage<Void> send(int destination, long seq, byte phase, ByteBuffer payload) {
    if (closed) {
      return CompletableFuture.failedFuture(new TransportException("mesh of generation " + generation + " is closed"));
    }
    EpArgumentException.require(destination >= 0 && destination < endpoints.size(), "destination", destination, "0.." + (endpoints.size() - 1));
    MeshFrame frame = new MeshFrame(generation, seq, phase, rank, payload);
    if (destination == rank) {
      ByteBuffer own = ByteBuffer.allocate(payload.remaining()).order(payload.order());
      own.put(payload.duplicate()).flip();
      selfDelivery.accept(new MeshFrame(generation, seq, phase, rank, own));
      return CompletableFuture.completedFuture(null);
    }
    return node.send(endpoints.get(destination), Streams.DATA, frame.encode());
  }

  /** Refuses further sends; what was already handed to Aeron still goes out. */
  @Override
  public void close() {
    closed = true;
  }
}
