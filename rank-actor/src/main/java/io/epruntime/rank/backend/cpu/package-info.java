/**
 * The {@code cpu} backend: the engine's {@code RankEngine} with payloads moving rank to rank over
 * the node's Aeron {@code DataMesh}. Every step runs the same four hops on every rank:
 *
 * <pre>
 *   runStep ──dispatchSend──&gt; payload[d] ──DATA──&gt; rank d          (to itself in memory)
 *   all N dispatch payloads of (generation, seq) in
 *      ──dispatchReceive──&gt; experts (+ HT local weighted reduce) ──combineSend──&gt; payload[home]
 *   all N combine payloads of (generation, seq) in
 *      ──combineReceive──&gt; StepOutcome (the runStep stage completes)
 * </pre>
 *
 * All state lives on one thread per backend ({@code ep-cpu-r<rank>}); the transport thread only
 * decodes frames and hands them over. Nothing waits in a loop: each arrival is a task on that
 * thread, and the step that it completes finishes there.
 */
package io.epruntime.rank.backend.cpu;
