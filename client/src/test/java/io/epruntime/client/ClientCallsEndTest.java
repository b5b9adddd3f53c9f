package io.epruntime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.engine.RankInput;
import io.epruntime.engine.Workloads;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every call of a connected client ends within its time-out with an {@link EpClientException}:
 * after close, when the gateway is gone, and when the world is not Ready again for a retry.
 */
class ClientCallsEndTest {
  private FakeNode node;

  @AfterEach
  void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  private EpClient connect(ClientSettings settings) {
    return EpClient.connect(settings);
  }

  private ClientSettings settings() {
    return ClientSettings.of(List.of(node.endpoint("127.0.0.1"))).withConnectTimeout(Duration.ofSeconds(20))
        .withStepTimeout(Duration.ofSeconds(3));
  }

  static StepRequest request() {
    List<RankInput> in = Workloads.random(FakeNode.WORLD, new int[] {3, 2}, 7);
    return new StepRequest(List.of(in.get(0).x(), in.get(1).x()), List.of(in.get(0).routing(), in.get(1).routing()),
        ExpertKernelSpec.scale(), null);
  }

  /** The exception {@code stage} fails with, which must come within {@code within}. */
  static Throwable failure(CompletionStage<?> stage, Duration within) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> stage.toCompletableFuture().get(within.toMillis(), TimeUnit.MILLISECONDS));
    return e.getCause();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void submitAndStatusAfterCloseFailAtOnceAndCloseTwiceIsHarmless() {
    node = FakeNode.start("127.0.0.1");
    EpClient client = connect(settings());
    client.close();
    assertInstanceOf(ClientClosedException.class, failure(client.submit(request()), Duration.ofSeconds(1)));
    assertInstanceOf(ClientClosedException.class, failure(client.status(), Duration.ofSeconds(1)));
    client.close();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aNewClientConnectsAfterAnotherClosed() throws Exception {
    node = FakeNode.start("127.0.0.1");
    connect(settings()).close();
    try (EpClient again = connect(settings())) {
      assertEquals("ready", again.status().toCompletableFuture().get(10, TimeUnit.SECONDS).worldState());
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void closeEndsAStepThatIsWaitingForARetry() {
    node = FakeNode.start("127.0.0.1");
    EpClient client = connect(settings().withMaxRetries(3));
    node.world(FakeNode.forming(2, List.of(1)));
    CompletionStage<StepResult> step = client.submit(request());
    client.close();
    assertInstanceOf(ClientClosedException.class, failure(step, Duration.ofSeconds(5)));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void statusFailsWithinStepTimeoutWhenTheGatewayIsGone() {
    node = FakeNode.start("127.0.0.1");
    try (EpClient client = connect(settings())) {
      node.close();
      node = null;
      long start = System.nanoTime();
      Throwable e = failure(client.status(), Duration.ofSeconds(10));
      assertInstanceOf(EpClientException.class, e);
      assertTrue(e.getMessage().contains("no status from the gateway"), e.getMessage());
      assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(8)) < 0);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aWorldNotReadyForARetryIsRetriableWithItsGenerationAndMissingRanks() {
    node = FakeNode.start("127.0.0.1");
    try (EpClient client = connect(settings().withMaxRetries(1).withConnectTimeout(Duration.ofSeconds(3)))) {
      // The gateway refuses the step as retriable; the world it then reports stays forming.
      node.world(FakeNode.forming(2, List.of(1)));
      Throwable e = failure(client.submit(request()), Duration.ofSeconds(20));
      ClusterNotReadyException notReady = assertInstanceOf(ClusterNotReadyException.class, e);
      assertInstanceOf(RetriableStepException.class, notReady);
      assertEquals(2, notReady.generation());
      assertEquals(List.of(1), notReady.missingRanks());
      assertEquals("forming", notReady.state());
      assertTrue(e.getMessage().contains("ranks missing: [1]") && e.getMessage().contains("generation 2"), e.getMessage());
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void connectToAWorldThatStaysFormingIsRetriableNamingTheMissingRanks() {
    node = FakeNode.start("127.0.0.1");
    node.world(FakeNode.forming(3, List.of(0, 1)));
    long start = System.nanoTime();
    ClusterNotReadyException e = assertThrows(ClusterNotReadyException.class,
        () -> connect(settings().withConnectTimeout(Duration.ofSeconds(3))));
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(6)) < 0, "ends by its time-out");
    assertEquals(3, e.generation());
    assertEquals(List.of(0, 1), e.missingRanks());
  }
}
