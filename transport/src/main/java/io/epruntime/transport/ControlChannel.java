package io.epruntime.transport;

import io.epruntime.protocol.wire.ControlFrame;
import io.epruntime.protocol.wire.WireFormatException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serialization$;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Actor messages over Aeron: for the two hops on every step's critical path (a client's
 * {@code SubmitStep} to the coordinator, the coordinator's {@code RunStep} to each rank), a Pekko
 * remoting hop costs far more than an Aeron one. The message is written by Pekko's own serializer
 * (Jackson CBOR for the protocol's types; actor refs inside it keep their full remote address, so
 * replies still travel over Pekko) and told to a node-local actor on arrival. Ordering per
 * sender and receiver holds as on Artery: one publication per destination, one transport thread.
 *
 * <p>Every other actor message stays on Pekko remoting.
 */
public final class ControlChannel {
  private static final Logger LOG = LoggerFactory.getLogger(ControlChannel.class);

  private final AeronNode node;
  private final ExtendedActorSystem system;
  private final Serialization serialization;

  public ControlChannel(AeronNode node, ActorSystem<?> system) {
    this.node = node;
    this.system = (ExtendedActorSystem) Adapter.toClassic(system);
    this.serialization = SerializationExtension.get(this.system);
  }

  /**
   * Sends {@code message} to the actor {@code target} names on the node at {@code endpoint}. The stage
   * completes once the frame is in Aeron's log and fails like {@link AeronNode#send} (no subscriber,
   * back-pressure past the send time-out) or when the message cannot be serialized.
   */
  public CompletionStage<Void> send(String endpoint, byte target, Object message) {
    byte[] frame;
    try {
      frame = encode(target, message);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
    return send(endpoint, frame);
  }

  /** A CONTROL frame of {@code message} for {@code target}, to send to several nodes with {@link #send(String, byte[])}. */
  public byte[] encode(byte target, Object message) {
    try {
      scala.Function0<byte[]> write = () -> {
        Serializer serializer = serialization.findSerializerFor(message);
        return new ControlFrame(target, serializer.identifier(), Serializers.manifestFor(serializer, message),
            serializer.toBinary(message)).encode();
      };
      // Actor refs in the message (a client's reply-to) are written with this node's full address.
      return Serialization$.MODULE$.withTransportInformation(system, write);
    } catch (RuntimeException e) {
      throw new TransportException("cannot serialize a " + message.getClass().getName() + " for Aeron: " + e, e);
    }
  }

  /** Sends a frame made by {@link #encode}. */
  public CompletionStage<Void> send(String endpoint, byte[] frame) {
    return node.send(endpoint, Streams.CONTROL, frame);
  }

  /** A node-local actor that takes CONTROL messages of one type. */
  public record Route<T>(Class<T> type, ActorRef<T> actor) {
    void deliver(Object message) {
      actor.tell(type.cast(message));
    }
  }

  /**
   * Delivers every CONTROL frame arriving at this node to the route its target names, on the
   * transport thread. Malformed frames, unknown targets and messages of the wrong type are logged
   * and dropped; the stream keeps serving. Close the handle to stop.
   */
  public AutoCloseable listen(Map<Byte, Route<?>> routes) {
    Map<Byte, Route<?>> copy = Map.copyOf(routes);
    return node.listen(Streams.CONTROL, buffer -> {
      ControlFrame frame;
      Object message;
      try {
        frame = ControlFrame.decode(buffer);
        message = serialization.deserialize(frame.message(), frame.serializerId(), frame.manifest()).get();
      } catch (WireFormatException e) {
        LOG.warn("CONTROL stream on {}: rejected a frame: {}", node.endpoint(), e.getMessage());
        return;
      } catch (Exception e) {
        LOG.warn("CONTROL stream on {}: could not deserialize a message: {}", node.endpoint(), e.toString());
        return;
      }
      Route<?> route = copy.get(frame.target());
      if (route == null || !route.type().isInstance(message)) {
        LOG.warn("CONTROL stream on {}: dropped a {} for target {}: this node takes {}", node.endpoint(),
            message.getClass().getSimpleName(), frame.target(), copy.isEmpty() ? "none" : copy);
        return;
      }
      route.deliver(message);
    });
  }
}
