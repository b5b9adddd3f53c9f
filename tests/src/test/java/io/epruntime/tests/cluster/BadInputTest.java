package io.epruntime.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.epruntime.client.ClientSettings;
import io.epruntime.client.ClusterStatus;
import io.epruntime.client.EpClient;
import io.epruntime.client.WorldMismatchException;
import io.epruntime.client.StepRejectedException;
import io.epruntime.client.StepRequest;
import io.epruntime.client.StepResult;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Bad input against a running 4-process world: a client's bad tensors, a client configured for
 * another world, a duplicate rank, a rank number out of range. Each is refused with a clear error or
 * log line, and the world keeps serving in the same generation.
 */
@Tag("cluster")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
  private LocalCluster4 cluster;
  private EpClient client;
  private final StepCheck check = new StepCheck();

  @BeforeAll
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void startWorld() {
    cluster = new LocalCluster4("bad-input", List.of());
    cluster.startAll();
    client = EpClient.connect(ClientSettings.of(cluster.gateways(0, 1, 2, 3)).withConnectTimeout(Duration.ofSeconds(120))
        .withMaxRetries(0));
  }

  @AfterAll
  void stopWorld() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void badTensorsAreRefusedBeforeSendingAndTheWorldKeepsServing() throws Exception {
    long generation = client.world().generation();
    StepRequest good = StepCheck.request(77, 8);

    List<HiddenStates> wrongHidden = new ArrayList<>(good.x());
    wrongHidden.set(1, HiddenStates.zeros(DType.BF16, good.x().get(1).tokens(), 64));
    StepRejectedException e1 = rejected(new StepRequest(wrongHidden, good.routing(), good.kernel(), null));
    assertTrue(e1.field().startsWith("x.hidden"), e1.field());
    assertTrue(e1.getMessage().contains("rank 1") && e1.getMessage().contains("ep.hidden = 128"), e1.getMessage());

    List<HiddenStates> wrongDtype = new ArrayList<>(good.x());
    wrongDtype.set(2, HiddenStates.zeros(DType.FP32, good.x().get(2).tokens(), 128));
    assertTrue(rejected(new StepRequest(wrongDtype, good.routing(), good.kernel(), null)).field().startsWith("x.dtype"));

    List<Routing> badExpert = new ArrayList<>(good.routing());
    Routing r0 = good.routing().get(0);
    long[] idx = r0.topkIdx().clone();
    if (idx.length > 0) {
      idx[0] = 99;
      badExpert.set(0, new Routing(r0.tokens(), r0.topk(), idx, r0.topkWeights()));
      StepRejectedException e3 = rejected(new StepRequest(good.x(), badExpert, good.kernel(), null));
      assertTrue(e3.getMessage().contains("outside [-1, 8)"), e3.getMessage());
    }

    assertTrue(rejected(new StepRequest(good.x().subList(0, 3), good.routing(), good.kernel(), null)).field().equals("x"));

    StepRequest big = StepCheck.request(78, 40);
    int max = big.x().stream().mapToInt(HiddenStates::tokens).max().orElse(0);
    if (max > 16) {
      assertEquals("mode", rejected(new StepRequest(big.x(), big.routing(), big.kernel(), StepMode.LL)).field());
    }

    StepResult ok = client.submit(good).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertNull(check.mismatch(good, ok));
    assertEquals(generation, ok.generation(), "refused input did not disturb the world");
  }

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void aClientConfiguredForAnotherWorldIsRefusedNamingEveryKeyAndTheWorldKeepsServing() throws Exception {
    long generation = client.world().generation();
    long completed = StepCheck.settledStatus(client).stepsCompleted();
    WorldMismatchException hidden = assertThrows(WorldMismatchException.class, () -> connectWith("ep.hidden = 256"));
    assertEquals(List.of("client ep.hidden = 256 but the cluster runs ep.hidden = 128"), hidden.differences());
    assertTrue(hidden.getMessage().contains("client ep.hidden = 256 but the cluster runs ep.hidden = 128"), hidden.getMessage());

    WorldMismatchException two = assertThrows(WorldMismatchException.class,
        () -> connectWith("ep { experts = 16, hidden = 128, dtype = fp32 }"));
    assertEquals(List.of("client ep.experts = 16 but the cluster runs ep.experts = 8",
        "client ep.dtype = fp32 but the cluster runs ep.dtype = bf16"), two.differences());

    // The same keys set to what the cluster runs (the rest left to the reference defaults, which
    // are not expectations) connect and run verified steps, as does the client that was there.
    try (EpClient same = connectWith("ep { world-size = 4, experts = 8, hidden = 128, topk = 2, ll-max-tokens-per-rank = 16, "
        + "dtype = bf16 }")) {
      assertEquals(StepCheck.WORLD, same.world().config());
      for (EpClient c : List.of(same, client)) {
        StepRequest req = StepCheck.request(c == client ? 81 : 80, 24);
        StepResult ok = c.submit(req).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertNull(check.mismatch(req, ok));
        assertEquals(generation, ok.generation(), "refused clients did not disturb the world");
      }
    }
    assertEquals(completed + 2, StepCheck.settledStatus(client).stepsCompleted(), "the refused clients sent no step");
  }

  /** A client whose config sets {@code keys} over the defaults, as -D or application.conf would. */
  private EpClient connectWith(String keys) {
    String gateways = String.join("\", \"", cluster.gateways(2, 0));
    ClientSettings settings = ClientSettings.fromConfig(ConfigFactory.parseString(keys + "\nep.client.gateways = [\"" + gateways + "\"]")
        .withFallback(ConfigFactory.load()));
    return EpClient.connect(settings.withConnectTimeout(Duration.ofSeconds(60)).withMaxRetries(0));
  }

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void duplicateRankIsRefusedAndTheWorldKeepsItsGeneration() throws Exception {
    long generation = client.world().generation();
    cluster.startExtra(1, "duplicate-rank1");
    LocalCluster4.await("the duplicate to be refused", Duration.ofSeconds(120), Duration.ofMillis(250),
        () -> logContains("duplicate-rank1", "coordinator refused rank 1: duplicate rank 1"));
    ClusterStatus status = client.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals("ready", status.worldState());
    assertEquals(generation, status.generation());
    StepRequest req = StepCheck.request(79, 8);
    StepResult ok = client.submit(req).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertNull(check.mismatch(req, ok));
    assertEquals(generation, ok.generation());
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void rankOutOfRangeRefusesToStartNamingTheKey() throws Exception {
    Process p = cluster.startExtra(7, "rank7");
    assertTrue(p.waitFor(80, TimeUnit.SECONDS), "the node exits");
    assertEquals(2, p.exitValue());
    String log = Files.readString(cluster.log("rank7"));
    assertTrue(log.contains("ep.node.rank = 7") && log.contains("0..3"), log);
  }

  private boolean logContains(String name, String text) {
    try {
      return Files.readString(cluster.log(name)).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  private StepRejectedException rejected(StepRequest request) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> client.submit(request).toCompletableFuture().get(10, TimeUnit.SECONDS));
    return assertInstanceOf(StepRejectedException.class, e.getCause());
  }
}
