package io.epruntime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Payload memory with leftover content (recycled buffers) must not change a single result bit. */
class PayloadAllocatorTest {

  /** Hands out buffers pre-filled with a non-zero pattern, as a recycling pool might. */
  private static final PayloadAllocator DIRTY = bytes -> {
    byte[] junk = new byte[bytes];
    Arrays.fill(junk, (byte) 0x5a);
    return ByteBuffer.wrap(junk);
  };

  @ParameterizedTest
  @EnumSource(DType.class)
  void dirtyPayloadMemoryGivesTheSameStepBits(DType dtype) {
    EpConfig c = Fixtures.config(4, 16, 256, 4, 32, 16, dtype);
    List<RankInput> in = Workloads.random(c, new int[] {32, 7, 0, 19}, 21);
    ExpertKernel kernel = ExpertKernel.scale(c.hidden(), c.experts());
    for (boolean ll : new boolean[] {false, true}) {
      List<ByteBuffer[]> sent = new ArrayList<>();
      for (int r = 0; r < 4; r++) {
        RankInput ri = in.get(r);
        RankEngine dirty = new RankEngine(c, r, DIRTY);
        sent.add(ll ? dirty.llDispatchSend(ri.x(), ri.routing()) : dirty.htDispatchSend(ri.x(), ri.routing()));
      }
      List<HiddenStates> out = ll ? llRest(c, sent, in, kernel) : htRest(c, sent, kernel);
      for (int r = 0; r < 4; r++) {
        Routing routing = in.get(r).routing();
        float[][] want = ll
            ? NaiveOracle.llStep(c, in.get(r).x(), routing, NaiveOracle.ElementKernel.scale(c.experts()))
            : NaiveOracle.htStep(c, in.get(r).x(), routing, NaiveOracle.ElementKernel.scale(c.experts()), null);
        assertNull(NaiveOracle.firstMismatch(want, out.get(r)), (ll ? "LL" : "HT") + " rank " + r);
      }
    }
  }

  private static List<HiddenStates> htRest(EpConfig c, List<ByteBuffer[]> sent, ExpertKernel kernel) {
    List<ByteBuffer[]> back = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      RankEngine e = new RankEngine(c, r, DIRTY);
      HtDispatchResult d = e.htDispatchReceive(column(sent, r));
      back.add(e.htCombineSend(d, e.htExpertsAndLocalReduce(d, kernel)));
    }
    List<HiddenStates> out = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      out.add(new RankEngine(c, r, DIRTY).htCombineReceive(column(back, r), null));
    }
    return out;
  }

  private static List<HiddenStates> llRest(EpConfig c, List<ByteBuffer[]> sent, List<RankInput> in, ExpertKernel kernel) {
    List<ByteBuffer[]> back = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      RankEngine e = new RankEngine(c, r, DIRTY);
      LlDispatchResult d = e.llDispatchReceive(column(sent, r));
      back.add(e.llCombineSend(d, e.llExperts(d, kernel)));
    }
    List<HiddenStates> out = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      out.add(new RankEngine(c, r, DIRTY).llCombineReceive(column(back, r), in.get(r).routing()));
    }
    return out;
  }

  private static ByteBuffer[] column(List<ByteBuffer[]> sent, int destination) {
    ByteBuffer[] in = new ByteBuffer[sent.size()];
    for (int s = 0; s < in.length; s++) {
      in[s] = sent.get(s)[destination];
      assertTrue(in[s].limit() > 0);
    }
    assertEquals(4, in.length);
    return in;
  }
}
