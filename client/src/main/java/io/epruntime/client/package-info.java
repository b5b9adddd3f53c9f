/**
 * The programmatic client: {@link io.epruntime.client.EpClient#connect}, then
 * {@link io.epruntime.client.EpClient#submit} steps and read their per-rank outputs. A complete
 * example, with the formula the outputs satisfy, is in docs/client.md.
 *
 * <pre>
 *  EpClient --GetWorld / GetStatus (Pekko remoting, CBOR)---------&gt; gateway (any node)
 *  EpClient --SubmitStep (Aeron CONTROL frame, binary)-----------&gt; coordinator's node --RunStep--&gt; ranks
 *  EpClient --StepInputFrame per rank (Aeron)----------------------------------------------&gt; ranks
 *  EpClient &lt;--StepOutputFrame per rank (Aeron)---------------------------------------------- ranks
 *  EpClient &lt;--StepError, for a step that did not complete (Aeron CONTROL)--- coordinator
 * </pre>
 *
 * A step completes when all N ranks' outputs are in (they carry its sequence
 * number, generation and mode); the coordinator answers only a step that did not complete, with a
 * {@code StepError} that ends it at once. Retriable
 * errors (the world changed) are retried up to {@code maxRetries} times once the world is Ready
 * again.
 *
 * <p>Every call ends within its time-out, and everything the client throws or fails a stage with
 * is an {@link io.epruntime.client.EpClientException}:
 * {@link io.epruntime.client.InvalidArgumentException} (bad settings or inputs),
 * {@link io.epruntime.client.StepRejectedException} (a step the world cannot run),
 * {@link io.epruntime.client.BackPressureException},
 * {@link io.epruntime.client.RetriableStepException} and its
 * {@link io.epruntime.client.ClusterNotReadyException},
 * {@link io.epruntime.client.GatewayUnreachableException},
 * {@link io.epruntime.client.WorldMismatchException} and
 * {@link io.epruntime.client.ClientClosedException}.
 *
 * <p>The world's shape is the cluster's. World keys the client's settings set
 * ({@link io.epruntime.client.ClientSettings#expectedWorld}) must match it, else
 * {@link io.epruntime.client.EpClient#connect} throws
 * {@link io.epruntime.client.WorldMismatchException} naming each differing key with both values;
 * keys left open are adopted from the cluster.
 */
package io.epruntime.client;
