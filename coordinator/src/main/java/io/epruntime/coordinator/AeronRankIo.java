package io.epruntime.coordinator;

import io.epruntime.protocol.wire.StepOutputFrame;
import io.epruntime.rank.RankIo;
import io.epruntime.transport.AeronNode;
import io.epruntime.transport.StepOutputPublisher;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The rank's outputs to clients as STEP_OUTPUT frames over Aeron. */
final class AeronRankIo implements RankIo {
  private static final Logger LOG = LoggerFactory.getLogger(AeronRankIo.class);

  private final AeronNode aeron;
  private final StepOutputPublisher publisher;

  AeronRankIo(AeronNode aeron) {
    this.aeron = aeron;
    this.publisher = new StepOutputPublisher(aeron);
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
