package io.epruntime.coordinator;

import io.epruntime.protocol.cluster.RunStep;
import io.epruntime.protocol.cluster.StepError;
import io.epruntime.protocol.wire.StepControlCodec;
import io.epruntime.transport.StepControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's end of the step path: each sequenced {@link RunStep} to the ranks' nodes, a
 * {@link StepError} to a client whose step did not complete, and the endpoint clients and ranks send
 * to (this node). Over the nodes' Aeron drivers ({@link StepControl}); an interface so that tests
 * can stand in for the ranks and clients.
 */
interface StepDelivery {

  /** Sends {@code step} to every registered rank. */
  void runStep(Iterable<RankRegistry.Entry> ranks, RunStep step);

  /** Tells the client at {@code clientEndpoint} that its step did not complete. */
  void stepError(String clientEndpoint, StepError error);

  /** The Aeron endpoint of the coordinator's node: clients send their steps there, ranks their reports. */
  String submitEndpoint();

  /** Over {@code control}, from the coordinator's node. */
  static StepDelivery aeron(StepControl control) {
    Logger log = LoggerFactory.getLogger(StepDelivery.class);
    return new StepDelivery() {
      @Override
      public void runStep(Iterable<RankRegistry.Entry> ranks, RunStep step) {
        byte[] frame = StepControlCodec.encode(step); // once, before any rank is told
        for (RankRegistry.Entry e : ranks) {
          // A frame that cannot be delivered means the rank's node is gone: the watchdog and the
          // failure detector end the generation; the step fails as retriable, never half-run.
          control.send(e.endpoint, frame).whenComplete((ok, err) -> {
            if (err != null) {
              log.warn("RunStep {} to rank {} at {} not delivered: {}", step.seq(), e.rank, e.endpoint, err.toString());
            }
          });
        }
      }

      @Override
      public void stepError(String clientEndpoint, StepError error) {
        control.send(clientEndpoint, StepControlCodec.encode(error)).whenComplete((ok, err) -> {
          if (err != null) {
            log.debug("StepError for request {} to client {} not delivered: {}", error.requestId(), clientEndpoint, err.toString());
          }
        });
      }

      @Override
      public String submitEndpoint() {
        return control.endpoint();
      }
    };
  }
}
