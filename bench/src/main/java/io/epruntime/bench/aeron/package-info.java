/**
 * Aeron transport measurements that write {@code bench/results/*.json}: the raw ping-pong round trip
 * through two embedded media drivers ({@link io.epruntime.bench.aeron.AeronPingPong}), which the
 * end-to-end latency benchmark reports next to a step's latency, and the CPU an idle node costs
 * ({@link io.epruntime.bench.aeron.AeronIdleCpu}).
 *
 * <pre>
 *   pinger AeronNode --PING(40)--&gt; ponger AeronNode
 *         ^                              | echo
 *         +-----------PONG(41)-----------+
 * </pre>
 */
package io.epruntime.bench.aeron;
