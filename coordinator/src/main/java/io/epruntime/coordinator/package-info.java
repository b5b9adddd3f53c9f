/**
 * The node: {@link io.epruntime.coordinator.NodeMain} / {@link io.epruntime.coordinator.Node}, the
 * {@link io.epruntime.coordinator.Coordinator} singleton, its step half
 * ({@link io.epruntime.coordinator.StepSequencer}, one {@link io.epruntime.coordinator.InFlightStep}
 * and one watchdog timer per step, no actor per step) and the {@link io.epruntime.coordinator.Gateway}.
 *
 * <pre>
 *  client --SubmitStep--&gt; Gateway (any node) --&gt; Coordinator (singleton, oldest node)
 *                                                   | seq, index, mode; InFlightStep + watchdog
 *                                                   v RunStep
 *  client --tensors over Aeron----------------&gt; RankActor (every node) --&gt; EpBackend
 *  client &lt;--outputs over Aeron----------------- RankActor --StepCompleted--&gt; Coordinator (frees the window;
 *                                                   a step that fails: StepError --&gt; client)
 *
 *  forming: Receptionist + Probe -&gt; RankHello (registry) -&gt; NewUniqueId (rank 0)
 *           -&gt; BootstrapRecord over Aeron to each rank -&gt; BootstrapAck -&gt; WorldReady
 * </pre>
 */
package io.epruntime.coordinator;
