package io.epruntime.client;

import io.epruntime.protocol.cluster.StepDone;
import io.epruntime.protocol.cluster.StepError;
import io.epruntime.protocol.cluster.ToClient;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The client's one long-lived reply address for steps submitted over Aeron: the coordinator's
 * {@link StepError} and {@link StepDone} for any request arrive here over Pekko remoting and are
 * handed to the client, which files them by request id.
 */
final class StepReplies {
  private StepReplies() {}

  static Behavior<ToClient> create(Consumer<ToClient> onReply) {
    return Behaviors.receive(ToClient.class)
        .onMessage(StepError.class, e -> {
          onReply.accept(e);
          return Behaviors.same();
        })
        .onMessage(StepDone.class, d -> {
          onReply.accept(d);
          return Behaviors.same();
        })
        .build();
  }
}
