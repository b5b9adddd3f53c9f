package io.epruntime.client;

import io.epruntime.protocol.cluster.StepError;
import io.epruntime.protocol.cluster.ToClient;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The client's one long-lived reply address for steps submitted over Aeron: the coordinator's
 * {@link StepError} for any request (a step it refused, or one that failed) arrives here over Pekko
 * remoting and is handed to the client, which files it by request id. A step that completes needs
 * no word from the coordinator: every rank's output comes straight to the client.
 */
final class StepReplies {
  private StepReplies() {}

  static Behavior<ToClient> create(Consumer<ToClient> onReply) {
    return Behaviors.receive(ToClient.class)
        .onMessage(StepError.class, e -> {
          onReply.accept(e);
          return Behaviors.same();
        })
        .build();
  }
}
