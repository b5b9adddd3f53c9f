package io.epruntime.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.protocol.wire.BootstrapRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Coordinator and rank on two real media drivers; the rank's subscriber starts late. */
@Timeout(120)
class BootstrapTest {
  private AeronNode coordinator;
  private AeronNode rank;
  private BootstrapPublisher publisher;

  @BeforeEach
  void start() {
    coordinator = AeronNode.start(TransportSettings.defaults());
    rank = AeronNode.start(TransportSettings.defaults());
    publisher = new BootstrapPublisher(coordinator, Duration.ofMillis(100), Duration.ofSeconds(30));
  }

  @AfterEach
  void stop() {
    publisher.close();
    coordinator.close();
    rank.close();
  }

  private BootstrapRecord record(long generation) {
    return new BootstrapRecord(generation, 2, 1, new byte[128], List.of(coordinator.endpoint(), rank.endpoint()), List.of("a", "b"));
  }

  @Test
  void aLateSubscriberGetsTheRecordAndTheAckCompletesThePublish() throws Exception {
    BootstrapRecord rec = record(3);
    CompletableFuture<Void> done = publisher.publish(rank.endpoint(), rec).toCompletableFuture();
    BlockingQueue<BootstrapRecord> got = new LinkedBlockingQueue<>();
    // Nobody listens yet: the publisher keeps trying (not connected) without completing.
    assertThrows(TimeoutException.class, () -> done.get(300, TimeUnit.MILLISECONDS));
    try (BootstrapSubscriber sub = new BootstrapSubscriber(rank, got::add)) {
      assertEquals(rec, got.poll(30, TimeUnit.SECONDS));
      // Without an ack it re-sends: a duplicate arrives.
      assertEquals(rec, got.poll(30, TimeUnit.SECONDS));
      assertFalse(done.isDone());
      publisher.acknowledged(3, 1, BootstrapRecord.Phase.JOIN);
      done.get(10, TimeUnit.SECONDS);
      assertEquals(0, publisher.pendingCount());
    }
  }

  @Test
  void publishingTheSameRecordTwiceSharesOneStage() {
    BootstrapRecord rec = record(4);
    assertSame(publisher.publish(rank.endpoint(), rec), publisher.publish(rank.endpoint(), rec));
    publisher.cancel(4);
  }

  @Test
  void cancelFailsThePublishOfThatGenerationOnly() throws Exception {
    CompletableFuture<Void> g5 = publisher.publish(rank.endpoint(), record(5)).toCompletableFuture();
    CompletableFuture<Void> g6 = publisher.publish(rank.endpoint(), record(6)).toCompletableFuture();
    publisher.cancel(5);
    // CompletableFuture.get rethrows a CancellationException cause as itself.
    CancellationException e = assertThrows(CancellationException.class, () -> g5.get(10, TimeUnit.SECONDS));
    assertTrue(e.getMessage().contains("generation 5"), e.getMessage());
    assertFalse(g6.isDone());
    publisher.acknowledged(6, 1, BootstrapRecord.Phase.JOIN);
    g6.get(10, TimeUnit.SECONDS);
  }

  @Test
  void noAckFailsWithATimeoutNamingTheRank() {
    BootstrapPublisher quick = new BootstrapPublisher(coordinator, Duration.ofMillis(50), Duration.ofMillis(400));
    try {
      CompletableFuture<Void> f = quick.publish(rank.endpoint(), record(7)).toCompletableFuture();
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
      assertInstanceOf(TimeoutException.class, e.getCause());
      assertNotNull(e.getCause().getMessage());
      assertTrue(e.getCause().getMessage().contains("rank 1"), e.getCause().getMessage());
    } finally {
      quick.close();
    }
  }
}
