/**
 * Internal: the transport thread's agent, chunking and reassembly. Public only so that
 * {@link io.epruntime.transport.AeronNode} can use it; not an API.
 *
 * <pre>
 *   send(endpoint, stream, bytes) --queue--&gt; TransportAgent --chunks--&gt; ExclusivePublication (per endpoint, stream)
 *   Subscription --FragmentAssembler--&gt; ChunkReassembler (per session) --whole frame--&gt; MessageListener
 * </pre>
 */
package io.epruntime.transport.internal;
