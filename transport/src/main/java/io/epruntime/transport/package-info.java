/**
 * The Aeron transport: one embedded media driver per process ({@link io.epruntime.transport.AeronNode})
 * carrying everything fast or bulk, on one UDP endpoint per node with one stream per purpose
 * ({@link io.epruntime.transport.Streams}). Frames are the binary records of
 * {@code io.epruntime.protocol.wire}; large ones are chunked and reassembled.
 *
 * <pre>
 *   coordinator                         rank node                              client
 *   BootstrapPublisher --BOOTSTRAP(10)--&gt; BootstrapSubscriber
 *      (re-send until acknowledged)      StepInputSubscriber &lt;--STEP_INPUT(30)-- StepInputPublisher
 *                                       StepOutputPublisher --STEP_OUTPUT(31)--&gt; StepOutputSubscriber
 *                                       DataMesh &lt;--DATA(20)--&gt; other ranks' DataMesh
 * </pre>
 *
 * <p>No thread spins: the media driver (SHARED mode) and the transport thread use a back-off idle
 * strategy that parks for up to {@code ep.transport.idle-max-park}; sends wake the transport thread;
 * bootstrap re-sends come from a sleeping timer. {@link io.epruntime.transport.IdleCpu} measures
 * what a process spends.
 */
package io.epruntime.transport;
