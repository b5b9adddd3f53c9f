/**
 * The rank actor: one per node, owner of the node's {@link io.epruntime.rank.backend.EpBackend}.
 *
 * <pre>
 *  coordinator --RunStep(seq, index)--&gt; RankActor &lt;--tensors (Aeron, StepInput)-- client
 *                                         |  StepQueue: strictly by index, both halves present
 *                                         v
 *                               EpBackend.runStep  (completion -&gt; pipeToSelf)
 *                                         |
 *        client &lt;--output (Aeron)--------+--------StepCompleted--&gt; coordinator
 * </pre>
 */
package io.epruntime.rank;
