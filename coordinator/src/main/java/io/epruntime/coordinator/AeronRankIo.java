package io.epruntime.coordinator;

import io.epruntime.protocol.tensor.HiddenStates;
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
  public CompletionStage<Void> sendOutput(
      String replyEndpoint, long clientId, long requestId, int rank, long seq, long generation, int status, String error,
      HiddenStates combined) {
    StepOutputFrame frame = new StepOutputFrame(clientId, requestId, rank, seq, generation, status, error, combined);
    CompletionStage<Void> sent = publisher.send(replyEndpoint, frame);
    sent.whenComplete((ok, err) -> {
      if (err != null) {
        LOG.warn("output of step {} (client {} request {}) to {} was not delivered: {}", seq, clientId, requestId, replyEndpoint, err.toString());
      }
    });
    return sent;
  }
}
