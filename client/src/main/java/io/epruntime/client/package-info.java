/**
 * The programmatic client: {@link io.epruntime.client.EpClient#connect}, then
 * {@link io.epruntime.client.EpClient#submit} steps and read their per-rank outputs.
 *
 * <pre>
 *  EpClient --SubmitStep (Pekko remoting, CBOR)--&gt; gateway --&gt; coordinator --RunStep--&gt; ranks
 *  EpClient --StepInputFrame per rank (Aeron)-----------------------------------&gt; ranks
 *  EpClient &lt;--StepOutputFrame per rank (Aeron)----------------------------------- ranks
 *  EpClient &lt;--StepDone / StepError------------ coordinator
 * </pre>
 *
 * A step completes when the StepDone and all N outputs are in; retriable errors (the world changed)
 * are retried up to {@code maxRetries} after the world is Ready again.
 *
 * <p>The world's shape is the cluster's. World keys the client's settings set
 * ({@link io.epruntime.client.ClientSettings#expectedWorld}) must match it, else
 * {@link io.epruntime.client.EpClient#connect} throws
 * {@link io.epruntime.client.WorldMismatchException} naming each differing key with both values;
 * keys left open are adopted from the cluster.
 */
package io.epruntime.client;
