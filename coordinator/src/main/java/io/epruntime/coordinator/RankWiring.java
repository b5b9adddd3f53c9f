package io.epruntime.coordinator;

import io.epruntime.protocol.cluster.ToRank;
import io.epruntime.protocol.wire.StepInputFrame;
import io.epruntime.rank.RankActor;
import io.epruntime.rank.StepInput;
import io.epruntime.transport.AeronNode;
import io.epruntime.transport.BootstrapSubscriber;
import io.epruntime.transport.StepInputSubscriber;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the node's inbound Aeron frames into rank-actor messages: bootstrap records and client
 * tensors. Runs on the transport thread, so it only decodes (already done) and tells.
 */
final class RankWiring {
  private static final Logger LOG = LoggerFactory.getLogger(RankWiring.class);

  private RankWiring() {}

  static List<AutoCloseable> subscribe(AeronNode aeron, ActorRef<ToRank> rank, int rankNumber) {
    BootstrapSubscriber bootstrap = new BootstrapSubscriber(aeron, r -> rank.tell(
        new RankActor.BootstrapArrived(r.generation(), r.worldSize(), r.rank(), r.phase(), r.uniqueId(), r.dataEndpoints(),
            r.peerWindows())));
    StepInputSubscriber inputs = new StepInputSubscriber(aeron, f -> onInput(f, rank, rankNumber));
    return List.of(bootstrap, inputs);
  }

  private static void onInput(StepInputFrame f, ActorRef<ToRank> rank, int rankNumber) {
    if (f.rank() != rankNumber) {
      LOG.warn("dropped step input for rank {} (client {} request {}): this node is rank {}", f.rank(), f.clientId(),
          f.requestId(), rankNumber);
      return;
    }
    rank.tell(new RankActor.InputArrived(new StepInput(f.clientId(), f.requestId(), f.replyEndpoint(), f.x(), f.routing())));
  }
}
