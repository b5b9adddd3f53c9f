package io.epruntime.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.ep.StepTrace;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.tensor.Tensor;
import io.epruntime.protocol.wire.StepInputFrame;
import io.epruntime.protocol.wire.StepOutputFrame;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Client tensors to a rank and results back, multi-MB, through two real media drivers. */
@Timeout(120)
class StepFramesTest {
  private static AeronNode client;
  private static AeronNode rank;

  @BeforeAll
  static void start() {
    client = AeronNode.start(TransportSettings.defaults());
    rank = AeronNode.start(TransportSettings.defaults());
  }

  @AfterAll
  static void stop() {
    client.close();
    rank.close();
  }

  private static HiddenStates bf16(int tokens, int hidden, long seed) {
    Random rnd = new Random(seed);
    Tensor x = Tensor.allocate(DType.BF16, tokens, hidden);
    float[] row = new float[hidden];
    for (int t = 0; t < tokens; t++) {
      for (int c = 0; c < hidden; c++) {
        row[c] = (float) rnd.nextGaussian();
      }
      x.writeRow(t, row);
    }
    return HiddenStates.of(x);
  }

  @Test
  void multiMegabyteStepInputAndOutputArriveIntact() throws Exception {
    BlockingQueue<StepInputFrame> inputs = new LinkedBlockingQueue<>();
    BlockingQueue<StepOutputFrame> outputs = new LinkedBlockingQueue<>();
    try (StepInputSubscriber in = new StepInputSubscriber(rank, inputs::add);
        StepOutputSubscriber out = new StepOutputSubscriber(client, outputs::add)) {
      // 1024 tokens x 4096 channels of bf16 = 8 MiB: 33 chunks.
      HiddenStates x = bf16(1024, 4096, 1);
      long[] idx = new long[1024 * 8];
      float[] w = new float[idx.length];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = i % 64;
        w[i] = 1f / (1 + i % 8);
      }
      StepInputFrame frame = new StepInputFrame(7, 99, 0, client.endpoint(), x, new Routing(1024, 8, idx, w));
      new StepInputPublisher(client).send(rank.endpoint(), frame).toCompletableFuture().get(60, TimeUnit.SECONDS);

      StepInputFrame got = inputs.poll(60, TimeUnit.SECONDS);
      assertNotNull(got, "step input did not arrive");
      assertEquals(99, got.requestId());
      assertTrue(x.x().contentEquals(got.x().x()));
      assertArrayEquals(idx, got.routing().topkIdx());
      assertArrayEquals(w, got.routing().topkWeights());

      // The rank answers on the reply endpoint the frame named.
      StepOutputPublisher answer = new StepOutputPublisher(rank);
      answer.send(got.replyEndpoint(), StepOutputFrame.ok(7, 99, 0, 12, 3, StepMode.HT, 0, 0, got.x(), StepTrace.NONE)).toCompletableFuture().get(60, TimeUnit.SECONDS);
      answer.send(got.replyEndpoint(), StepOutputFrame.failed(7, 100, 0, 13, 3, io.epruntime.protocol.ep.StepStatus.REJECTED, "topk_idx: bad"))
          .toCompletableFuture().get(60, TimeUnit.SECONDS);
      StepOutputFrame ok = outputs.poll(60, TimeUnit.SECONDS);
      assertNotNull(ok);
      assertEquals(12, ok.seq());
      assertTrue(x.x().contentEquals(ok.combined().x()));
      StepOutputFrame rejected = outputs.poll(60, TimeUnit.SECONDS);
      assertNotNull(rejected);
      assertEquals(io.epruntime.protocol.ep.StepStatus.REJECTED, rejected.status());
      assertEquals("topk_idx: bad", rejected.error());
    }
  }
}
