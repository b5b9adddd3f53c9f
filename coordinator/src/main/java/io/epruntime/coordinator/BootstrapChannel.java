package io.epruntime.coordinator;

import io.epruntime.protocol.wire.BootstrapRecord;
import java.util.concurrent.CompletionStage;

/**
 * How the coordinator gets a bootstrap record to a rank: over Aeron in a node (the transport's
 * {@code BootstrapPublisher}), re-sent until {@link #acknowledged} or {@link #cancel}.
 */
public interface BootstrapChannel {

  /** Starts delivering {@code record} to the rank listening at {@code rankEndpoint}. */
  CompletionStage<Void> publish(String rankEndpoint, BootstrapRecord record);

  /** The rank's {@code BootstrapAck} for {@code phase} came in: stop re-sending that record to it. */
  void acknowledged(long generation, int rank, BootstrapRecord.Phase phase);

  /** The generation is abandoned: stop re-sending all of its records. */
  void cancel(long generation);
}
