package io.epruntime.protocol.cluster;

/**
 * Marker for every message that crosses a node boundary between actors. Bound to Pekko's
 * {@code jackson-cbor} serializer in the coordinator's reference.conf; Java serialization stays off.
 * Messages are records of primitives, strings, enums, protocol value records and typed
 * {@code ActorRef}s; no field is declared as an open type, so no class name travels on the wire.
 */
public interface CborSerializable {}
