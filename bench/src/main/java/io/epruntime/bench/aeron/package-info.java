/**
 * Aeron transport measurements that write {@code bench/results/*.json}: the raw ping-pong round trip
 * through two embedded media drivers ({@link io.epruntime.bench.aeron.AeronPingPong}), which the
 * end-to-end latency benchmark reports next to a step's latency, the CPU an idle node costs
 * ({@link io.epruntime.bench.aeron.AeronIdleCpu}), and what it costs to wake a sleeping thread on
 * the machine (a futex hand-off, a timed park, a datagram into {@code select};
 * {@link io.epruntime.bench.aeron.WakeLatency}), the floor under every hop of a step.
 *
 * <pre>
 *   pinger AeronNode --PING(40)--&gt; ponger AeronNode
 *         ^                              | echo
 *         +-----------PONG(41)-----------+
 * </pre>
 */
package io.epruntime.bench.aeron;
