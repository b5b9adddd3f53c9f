package io.epruntime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every refused input: one test per case, each checking the exception names the argument and says
 * what is wrong, and that the engine still serves good input afterwards (nothing is lost).
 */
class BadInputTest {
  private final EpConfig config = Fixtures.config(4, 16, 128, 4, 8, 1, DType.BF16);
  private final RankEngine engine = new RankEngine(config, 1);
  private final HiddenStates x = Workloads.hidden(config, 5, new SplittableRandom(1));

  private Routing routing(long[] idx, float[] w) {
    return new Routing(idx.length / config.topk(), config.topk(), idx, w);
  }

  private Routing goodRouting() {
    long[] idx = new long[5 * 4];
    float[] w = new float[5 * 4];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i % 16;
      w[i] = 0.5f;
    }
    return routing(idx, w);
  }

  /** Asserts the refusal names {@code argument} and mentions {@code fragment}, then that good input still works. */
  private void refused(String argument, String fragment, Executable call) {
    EpArgumentException e = assertThrows(EpArgumentException.class, call);
    assertEquals(argument, e.argument(), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should mention '" + fragment + "'");
    assertEquals(config.worldSize(), engine.htDispatchSend(x, goodRouting()).length, "engine still serves good input");
  }

  @Test
  void dtypeOfXDiffersFromTheWorld() {
    HiddenStates fp32 = Workloads.hidden(config.withDtype(DType.FP32), 5, new SplittableRandom(2));
    refused("x.dtype", "fp32", () -> engine.htDispatchSend(fp32, goodRouting()));
  }

  @Test
  void hiddenOfXDiffersFromTheWorld() {
    HiddenStates wide = HiddenStates.zeros(DType.BF16, 5, 256);
    refused("x.hidden", "256", () -> engine.htDispatchSend(wide, goodRouting()));
  }

  @Test
  void tokensOfXAndRoutingDiffer() {
    HiddenStates fewer = HiddenStates.zeros(DType.BF16, 4, 128);
    refused("topk_idx", "4 tokens", () -> engine.htDispatchSend(fewer, goodRouting()));
  }

  @Test
  void expertIdAtOrAboveE() {
    Routing r = goodRouting();
    r.topkIdx()[6] = 16;
    refused("topk_idx", "16 is outside [-1, 16)", () -> engine.htDispatchSend(x, r));
  }

  @Test
  void expertIdBelowMinusOne() {
    Routing r = goodRouting();
    r.topkIdx()[3] = -2;
    refused("topk_idx", "-2 is outside", () -> engine.llDispatchSend(x, r));
  }

  @Test
  void sameExpertTwiceInARow() {
    Routing r = goodRouting();
    r.topkIdx()[1] = r.topkIdx()[0];
    refused("topk_idx", "twice", () -> engine.htDispatchSend(x, r));
  }

  @Test
  void topkAboveSixteenIsRefusedByTheWorld() {
    EpArgumentException e = assertThrows(EpArgumentException.class, () -> Fixtures.config(4, 32, 128, 17, 8, 1, DType.BF16));
    assertEquals("ep.topk", e.argument());
    assertTrue(e.getMessage().contains("1..16"), e.getMessage());
  }

  @Test
  void topkOfRoutingDiffersFromTheWorld() {
    Routing k5 = new Routing(5, 5, new long[25], new float[25]);
    refused("topk_idx", "K = 5", () -> engine.htDispatchSend(x, k5));
  }

  @Test
  void fp8HiddenNotAMultipleOf128() {
    EpArgumentException e = assertThrows(EpArgumentException.class, () -> Fixtures.config(4, 16, 100, 4, 8, 1, DType.FP8_E4M3));
    assertEquals("ep.hidden", e.argument());
    assertTrue(e.getMessage().contains("multiple of 128"), e.getMessage());
  }

  @Test
  void nanWeight() {
    Routing r = goodRouting();
    r.topkWeights()[2] = Float.NaN;
    refused("topk_weights", "NaN", () -> engine.htDispatchSend(x, r));
  }

  @Test
  void negativeWeight() {
    Routing r = goodRouting();
    r.topkWeights()[5] = -0.25f;
    refused("topk_weights", "-0.25", () -> engine.llDispatchSend(x, r));
  }

  @Test
  void infiniteWeightInLlCombine() {
    Routing r = goodRouting();
    r.topkWeights()[7] = Float.POSITIVE_INFINITY;
    refused("topk_weights", "Infinity", () -> engine.llCombineReceive(new ByteBuffer[4], r));
  }

  @Test
  void moreTokensThanTheLlCapacity() {
    HiddenStates nine = Workloads.hidden(config, 9, new SplittableRandom(3));
    Routing r = Workloads.routing(config, 9, new SplittableRandom(4));
    refused("x", "ep.ll-max-tokens-per-rank = 8", () -> engine.llDispatchSend(nine, r));
  }

  @Test
  void expertsNotDivisibleByWorldSize() {
    EpArgumentException e = assertThrows(EpArgumentException.class, () -> Fixtures.config(4, 10, 128, 4, 8, 1, DType.BF16));
    assertEquals("ep.experts", e.argument());
    assertTrue(e.getMessage().contains("ep.experts = 10 is not divisible by ep.world-size = 4"), e.getMessage());
  }

  @Test
  void rankOutsideTheWorld() {
    EpArgumentException e = assertThrows(EpArgumentException.class, () -> new RankEngine(config, 4));
    assertEquals("rank", e.argument());
  }

  @Test
  void wrongNumberOfPayloads() {
    refused("fromSource", "one payload per rank (4), got 3", () -> engine.htDispatchReceive(new ByteBuffer[3]));
  }

  @Test
  void payloadThatIsNotOurs() {
    ByteBuffer[] in = payloadsForRank1();
    in[2] = ByteBuffer.wrap(new byte[64]);
    refused("fromSource[2]", "not an ep-engine payload", () -> engine.htDispatchReceive(in));
  }

  @Test
  void payloadFromTheWrongSource() {
    ByteBuffer[] in = payloadsForRank1();
    ByteBuffer swap = in[0];
    in[0] = in[3];
    in[3] = swap;
    refused("fromSource[0]", "from rank 3", () -> engine.htDispatchReceive(in));
  }

  @Test
  void truncatedPayload() {
    ByteBuffer[] in = payloadsForRank1();
    in[0] = in[0].limit(in[0].limit() - 1).slice();
    refused("fromSource[0]", "header promises", () -> engine.htDispatchReceive(in));
  }

  @Test
  void reducedRowsOfTheWrongShape() {
    HtDispatchResult d = engine.htDispatchReceive(payloadsForRank1());
    HiddenStates wrong = HiddenStates.zeros(DType.BF16, d.recvRows() + 1, 128);
    refused("reducedRows", "[" + d.recvRows() + ", 128]", () -> engine.htCombineSend(d, wrong));
  }

  @Test
  void biasOfTheWrongShape() {
    ReferenceEngine world = new ReferenceEngine(config);
    List<RankInput> in = Workloads.random(config, new int[] {3, 5, 2, 0}, 5);
    List<HtDispatchResult> d = world.htDispatch(Fixtures.xs(in), Fixtures.routings(in));
    ByteBuffer[] home = new ByteBuffer[4];
    for (int r = 0; r < 4; r++) {
      home[r] = world.rank(r).htCombineSend(d.get(r), d.get(r).recvX())[1];
    }
    refused("bias", "[5, 128]", () -> engine.htCombineReceive(home, HiddenStates.zeros(DType.BF16, 4, 128)));
  }

  @Test
  void cachedDispatchWithADifferentTokenCount() {
    HtHandle h = engine.htDispatchReceive(payloadsForRank1()).handle();
    refused("x", "sent 5", () -> engine.htCachedDispatchSend(h, HiddenStates.zeros(DType.BF16, 6, 128)));
  }

  @Test
  void handleOfAnotherRank() {
    ReferenceEngine world = new ReferenceEngine(config);
    List<RankInput> in = Workloads.random(config, new int[] {3, 5, 2, 0}, 6);
    HtHandle rank0 = world.htDispatch(Fixtures.xs(in), Fixtures.routings(in)).get(0).handle();
    refused("handle", "rank 0", () -> engine.htCachedDispatchSend(rank0, HiddenStates.zeros(DType.BF16, 3, 128)));
  }

  /** What rank 1 receives when every rank sends x with the good routing. */
  private ByteBuffer[] payloadsForRank1() {
    ByteBuffer[] in = new ByteBuffer[4];
    for (int s = 0; s < 4; s++) {
      in[s] = new RankEngine(config, s).htDispatchSend(x, goodRouting())[1];
    }
    return in;
  }
}
