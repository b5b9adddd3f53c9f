package io.epruntime.coordinator;

import io.epruntime.protocol.cluster.RunStep;
import io.epruntime.protocol.wire.ControlFrame;
import io.epruntime.transport.ControlChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the coordinator gets each sequenced {@link RunStep} to the ranks, and where clients should
 * send their steps: over the nodes' Aeron drivers ({@link ControlChannel}). An interface so that
 * tests can stand in for the ranks' nodes.
 */
interface StepDelivery {

  /** Sends {@code step} to every registered rank. */
  void runStep(Iterable<RankRegistry.Entry> ranks, RunStep step);

  /** The Aeron endpoint clients send {@code SubmitStep} to (the coordinator's node). */
  String submitEndpoint();

  /**
   * {@code RunStep} over Aeron to each rank's node ({@link ControlChannel}, serialized once); a rank
   * whose endpoint is not known yet gets it over Pekko. {@code nodeEndpoint} is this (the
   * coordinator's) node, where clients send their steps.
   */
  static StepDelivery aeron(ControlChannel channel, String nodeEndpoint) {
    Logger log = LoggerFactory.getLogger(StepDelivery.class);
    return new StepDelivery() {
      @Override
      public void runStep(Iterable<RankRegistry.Entry> ranks, RunStep step) {
        byte[] frame;
        try {
          frame = channel.encode(ControlFrame.TO_RANK, step); // once, before any rank is told
        } catch (RuntimeException ex) {
          log.warn("RunStep {} could not be serialized for Aeron, sent over Pekko: {}", step.seq(), ex.toString());
          ranks.forEach(e -> e.ref.tell(step));
          return;
        }
        for (RankRegistry.Entry e : ranks) {
          if (e.endpoint == null || e.endpoint.isBlank()) {
            e.ref.tell(step);
            continue;
          }
          // A frame that cannot be delivered means the rank's node is gone: the watchdog and the
          // failure detector end the generation; the step fails as retriable, never half-run.
          channel.send(e.endpoint, frame).whenComplete((ok, err) -> {
            if (err != null) {
              log.warn("RunStep {} to rank {} at {} not delivered: {}", step.seq(), e.rank, e.endpoint, err.toString());
            }
          });
        }
      }

      @Override
      public String submitEndpoint() {
        return nodeEndpoint;
      }
    };
  }
}
