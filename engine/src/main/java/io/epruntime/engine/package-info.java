/**
 * The CPU reference engine: DeepEP's layout, high-throughput (HT) and low-latency (LL) dispatch
 * and combine, in pure Java, deterministic to the bit.
 *
 * <pre>
 *  rank s                                   rank d
 *  ------                                   ------
 *  x, routing --htDispatchSend--&gt; payload[d] --htDispatchReceive--&gt; HtDispatchResult
 *                                                                   | htExpertsAndLocalReduce
 *  output  &lt;--htCombineReceive-- payload[s] &lt;--htCombineSend------- reduced rows
 *
 *  x, routing --llDispatchSend--&gt; payload[d] --llDispatchReceive--&gt; LlDispatchResult [E/N, N*M, H]
 *                                                                   | llExperts
 *  output  &lt;--llCombineReceive-- payload[s] &lt;--llCombineSend------- expert outputs
 * </pre>
 *
 * {@link io.epruntime.engine.RankEngine} is one rank's half of each arrow, pure functions over
 * little-endian {@link java.nio.ByteBuffer} payloads (the cluster's CPU backend carries them over
 * Aeron); {@link io.epruntime.engine.ReferenceEngine} wires N of them in one JVM, and for HT
 * dispatch and combine skips the payloads (each row moved once, same bits; {@code HtInMemory}),
 * optionally into recycled result memory ({@link io.epruntime.engine.ResultArena}).
 * {@link io.epruntime.engine.ExpertKernel} and {@link io.epruntime.engine.SeededWeights} define the
 * expert functions every backend computes; {@link io.epruntime.engine.Workloads} makes seeded inputs.
 */
package io.epruntime.engine;
