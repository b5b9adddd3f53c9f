package io.epruntime.coordinator;

import io.epruntime.protocol.cluster.StepCompleted;
import io.epruntime.protocol.cluster.StepFailedOnRank;
import io.epruntime.protocol.wire.StepControlCodec;
import io.epruntime.protocol.wire.StepOutputFrame;
import io.epruntime.rank.RankIo;
import io.epruntime.transport.AeronNode;
import io.epruntime.transport.StepControl;
import io.epruntime.transport.StepOutputPublisher;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The rank's outputs to clients (STEP_OUTPUT frames) and its reports to the coordinator (CONTROL), over Aeron. */
final class AeronRankIo implements RankIo {
  private static final Logger LOG = LoggerFactory.getLogger(AeronRankIo.class);

  private final AeronNode aeron;
  private final StepOutputPublisher publisher;
  private final StepControl control;

  AeronRankIo(AeronNode aeron, StepControl control) {
    this.aeron = aeron;
    this.publisher = new StepOutputPublisher(aeron);
    this.control = control;
  }

  @Override
  public void report(String coordinatorEndpoint, StepCompleted completed) {
    send(coordinatorEndpoint, StepControlCodec.encode(completed), completed.seq());
  }

  @Override
  public void report(String coordinatorEndpoint, StepFailedOnRank failed) {
    send(coordinatorEndpoint, StepControlCodec.encode(failed), failed.seq());
  }

  private void send(String endpoint, byte[] frame, long seq) {
    // Undelivered means the coordinator's node is gone: the singleton moves, and the generation
    // ends with every step in it, so a lost report costs a retry, never a wrong result.
    control.send(endpoint, frame).whenComplete((ok, err) -> {
      if (err != null) {
        LOG.warn("report of step {} to the coordinator at {} was not delivered: {}", seq, endpoint, err.toString());
      }
    });
  }

  @Override
  public void expectTraffic() {
    aeron.expectTraffic();
  }

  @Override
  public AutoCloseable holdAwake() {
    return aeron.holdAwake();
  }

  @Override
  public CompletionStage<Void> sendOutput(String replyEndpoint, StepOutputFrame frame) {
    CompletionStage<Void> sent = publisher.send(replyEndpoint, frame);
    sent.whenComplete((ok, err) -> {
      if (err != null) {
        LOG.warn("output of step {} (client {} request {}) to {} was not delivered: {}", frame.seq(), frame.clientId(),
            frame.requestId(), replyEndpoint, err.toString());
      }
    });
    return sent;
  }
}
