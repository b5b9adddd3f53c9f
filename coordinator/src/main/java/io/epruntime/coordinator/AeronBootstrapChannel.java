package io.epruntime.coordinator;

import io.epruntime.protocol.wire.BootstrapRecord;
import io.epruntime.transport.BootstrapPublisher;
import java.util.concurrent.CompletionStage;

/** {@link BootstrapChannel} over the transport's {@link BootstrapPublisher} (Aeron, BOOTSTRAP stream). */
final class AeronBootstrapChannel implements BootstrapChannel {
  private final BootstrapPublisher publisher;

  AeronBootstrapChannel(BootstrapPublisher publisher) {
    this.publisher = publisher;
  }

  @Override
  public CompletionStage<Void> publish(String rankEndpoint, BootstrapRecord record) {
    return publisher.publish(rankEndpoint, record);
  }

  @Override
  public void acknowledged(long generation, int rank, BootstrapRecord.Phase phase) {
    publisher.acknowledged(generation, rank, phase);
  }

  @Override
  public void cancel(long generation) {
    publisher.cancel(generation);
  }
}
