package io.epruntime.rank;

import io.epruntime.protocol.cluster.StepCompleted;
import io.epruntime.protocol.cluster.StepFailedOnRank;
import io.epruntime.protocol.wire.StepOutputFrame;
import java.util.concurrent.CompletionStage;

/**
 * The rank actor's ways out: its combined output (or the reason there is none) goes straight to
 * the client, and its report of the step's end to the coordinator's node, both over Aeron. Implemented by the node's transport wiring; tests substitute
 * their own.
 */
public interface RankIo {

  /**
   * A step was announced: its tensors and the backend's frames are about to arrive, so an idle
   * transport should wake and poll promptly. Default: nothing to wake.
   */
  default void expectTraffic() {}

  /**
   * Steps are queued or running here: keep the transport polling promptly (no deep park) until the
   * returned handle is closed. Default: nothing to hold.
   */
  default AutoCloseable holdAwake() {
    return () -> { };
  }

  /** Sends one rank's result of a step (or why there is none) to the client at {@code replyEndpoint}. */
  CompletionStage<Void> sendOutput(String replyEndpoint, StepOutputFrame frame);

  /** Tells the coordinator (at its node's endpoint, from the step's {@code RunStep}) that this rank finished its part. */
  void report(String coordinatorEndpoint, StepCompleted completed);

  /** Tells the coordinator that this rank could not run its part. */
  void report(String coordinatorEndpoint, StepFailedOnRank failed);
}
