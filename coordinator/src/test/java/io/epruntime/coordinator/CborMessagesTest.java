package io.epruntime.coordinator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.cluster.BootstrapAck;
import io.epruntime.protocol.cluster.CborSerializable;
import io.epruntime.protocol.cluster.EndGeneration;
import io.epruntime.protocol.actor.GetStatus;
import io.epruntime.protocol.actor.GetWorld;
import io.epruntime.protocol.actor.NewUniqueId;
import io.epruntime.protocol.actor.Probe;
import io.epruntime.protocol.actor.RankHello;
import io.epruntime.protocol.cluster.RankRejected;
import io.epruntime.protocol.cluster.RunStep;
import io.epruntime.protocol.cluster.StatusReport;
import io.epruntime.protocol.cluster.StepCompleted;
import io.epruntime.protocol.cluster.StepFailedOnRank;
import io.epruntime.protocol.cluster.SubmitStep;
import io.epruntime.protocol.cluster.ToClient;
import io.epruntime.protocol.cluster.ToCoordinator;
import io.epruntime.protocol.cluster.ToRank;
import io.epruntime.protocol.cluster.UniqueIdReply;
import io.epruntime.protocol.cluster.WorldReady;
import io.epruntime.protocol.cluster.WorldView;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.ep.StepTrace;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every cross-node message goes through Jackson CBOR (the binding of {@link CborSerializable}) and
 * comes back equal, with Java serialization off and {@code serialize-messages = on}.
 */
class CborMessagesTest {
  private static final ActorTestKit KIT = ActorTestKit.create("cbor", ConfigFactory.parseString(String.join("\n",
      "pekko.actor.serialize-messages = on",
      "pekko.actor.allow-java-serialization = off",
      "pekko.actor.serialization-bindings { \"io.epruntime.protocol.cluster.CborSerializable\" = jackson-cbor }"))
      .withFallback(ConfigFactory.load()));
  private static final Serialization SERIALIZATION = SerializationExtension.get(Adapter.toClassic(KIT.system()));
  private static final EpConfig WORLD = new EpConfig(4, 8, 128, 2, 16, 1, DType.BF16);

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T message) {
    assertEquals("jackson-cbor", serializerName(message));
    byte[] bytes = SERIALIZATION.serialize(message).get();
    var serializer = SERIALIZATION.findSerializerFor(message);
    return (T) SERIALIZATION.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, message)).get();
  }

  private static String serializerName(Object message) {
    int id = SERIALIZATION.findSerializerFor(message).identifier();
    return id == 33 ? "jackson-cbor" : "serializer " + id;
  }

  @Test
  void recordsWithoutArraysComeBackEqual() {
    ActorRef<ToRank> rank = KIT.<ToRank>createTestProbe().ref();
    ActorRef<ToCoordinator> coordinator = KIT.<ToCoordinator>createTestProbe().ref();
    ActorRef<ToClient> client = KIT.<ToClient>createTestProbe().ref();
    List<CborSerializable> messages = List.of(
        new RankHello(2, rank, "127.0.0.1:4000", WORLD, "cpu", 3, 41, io.epruntime.protocol.cluster.RankHealth.FAILED, "no GPU", 9),
        new Probe(9, coordinator),
        new RankRejected(1, "duplicate rank 1"),
        new NewUniqueId(4, coordinator),
        new BootstrapAck(4, 2, io.epruntime.protocol.wire.BootstrapRecord.Phase.JOIN, null, new byte[] {1, 2}),
        new WorldReady(4),
        new EndGeneration(4, "rank 3 unreachable"),
        new StepCompleted(41, 4, 2, 10, 2048, 2048, 12345),
        new StepFailedOnRank(41, 4, 2, io.epruntime.protocol.ep.StepStatus.RETRIABLE, "aborted"),
        new GetWorld(client),
        new WorldView("ready", 4, WORLD, List.of("a:1", "b:2", "c:3", "d:4"), List.of(), "a:1"),
        new GetStatus(client),
        new StatusReport(4, "ready", 4, List.of(new StatusReport.RankInfo(0, "pekko://ep@h:1", "ready", 41)), 0, 42));
    for (CborSerializable m : messages) {
      assertEquals(m, roundTrip(m), m.getClass().getSimpleName());
    }
  }

  @Test
  void recordsWithArraysKeepTheirContents() {
    RunStep run = roundTrip(new RunStep(41, 4, 0, StepMode.HT, new int[] {1, 2, 3, 4}, ExpertKernelSpec.swiglu(5, 64), 77, 8,
        "10.0.0.1:40123", new StepTrace(1, 2, 3, 0, 0, 0, 0, 0)));
    assertArrayEquals(new int[] {1, 2, 3, 4}, run.tokensPerRank());
    assertEquals(ExpertKernelSpec.swiglu(5, 64), run.kernel());
    assertEquals(77, run.clientId());
    SubmitStep submit = roundTrip(new SubmitStep(77, 8, 4, new int[] {0, 5}, ExpertKernelSpec.scale(), null, "10.0.0.9:40123", 99));
    assertArrayEquals(new int[] {0, 5}, submit.tokensPerRank());
    assertEquals(4, submit.generation());
    assertEquals(null, submit.requestedMode());
    byte[] id = new byte[128];
    id[0] = 1;
    id[127] = -1;
    assertArrayEquals(id, roundTrip(new UniqueIdReply(4, id, null)).uniqueId());
  }
}
