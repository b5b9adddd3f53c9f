/**
 * Binary wire records and their codecs: what travels over Aeron (bootstrap records, client step
 * frames, rank-to-rank mesh payloads). No Java serialization: every frame is little-endian, starts
 * with a fixed header and is decoded with bounds checks, so a malformed or foreign frame is refused
 * with a {@link io.epruntime.protocol.wire.WireFormatException} naming the field, never a crash.
 *
 * <pre>
 *   frame = magic "EPW1" (int) | version (byte) | type (byte) | body
 *
 *   BOOTSTRAP    generation, worldSize, rank, uniqueId, dataEndpoints[], memberAddresses[]
 *   STEP_INPUT   clientId, requestId, rank, replyEndpoint, x (HiddenStates), routing
 *   STEP_OUTPUT  clientId, requestId, rank, seq, generation, status, error, combined?
 *   MESH         generation, seq, phase, source, payload bytes
 *
 *   record --encode--&gt; byte[] --(transport chunks, Aeron)--&gt; ByteBuffer --decode--&gt; record
 * </pre>
 */
package io.epruntime.protocol.wire;
