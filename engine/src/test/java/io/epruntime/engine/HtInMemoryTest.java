package io.epruntime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ReferenceEngine}'s in-memory HT dispatch and combine ({@link HtInMemory}) against the
 * payload path of {@link RankEngine}, bit for bit, with fresh and with recycled (dirty) result
 * memory, and combine inputs holding every bf16 bit pattern class (-0, NaN, inf, subnormals).
 */
class HtInMemoryTest {

  @ParameterizedTest
  @EnumSource(DType.class)
  void sameBitsAsThePayloadPath(DType dtype) {
    check(Fixtures.config(4, 16, 256, 4, 32, 16, dtype), new int[][] {{40, 9, 3, 21}, {32, 7, 0, 19}, {0, 0, 0, 0}, {5, 50, 12, 1}});
  }

  /** 8 and 12 ranks with K = 8: tokens reach 5 to 12 ranks, every row-count branch of the combine. */
  @ParameterizedTest
  @EnumSource(DType.class)
  void manyRanksPerToken(DType dtype) {
    for (int n : new int[] {8, 12}) {
      int[][] shapes = new int[3][n];
      SplittableRandom rnd = new SplittableRandom(n);
      for (int[] s : shapes) {
        for (int r = 0; r < n; r++) {
          s[r] = rnd.nextInt(60);
        }
      }
      check(Fixtures.config(n, 2 * n, 256, 8, 64, 16, dtype), shapes);
    }
  }

  private static void check(EpConfig c, int[][] shapes) {
    DType dtype = c.dtype();
    int n = c.worldSize();
    ResultArena arena = new ResultArena();
    ReferenceEngine fast = new ReferenceEngine(c, arena);
    ReferenceEngine slow = new ReferenceEngine(c);
    ExpertKernel kernel = ExpertKernel.scale(c.hidden(), c.experts());
    for (int round = 0; round < shapes.length; round++) {
      List<RankInput> in = Workloads.random(c, shapes[round], 100 + round);
      if (round > 0) {
        arena.recycle();
        poison(arena, (byte) (0x5a + round));
        arena.recycle();
      }
      List<HtDispatchResult> want = slow.htDispatchThroughPayloads(Fixtures.xs(in), Fixtures.routings(in));
      List<HtDispatchResult> got = fast.htDispatch(Fixtures.xs(in), Fixtures.routings(in));
      for (int r = 0; r < n; r++) {
        assertSameDispatch(want.get(r), got.get(r), dtype + " round " + round + " rank " + r);
      }
      List<HiddenStates> reduced = new ArrayList<>();
      List<HiddenStates> wild = new ArrayList<>();
      List<HiddenStates> bias = new ArrayList<>();
      SplittableRandom rnd = new SplittableRandom(7 + round);
      for (int r = 0; r < n; r++) {
        reduced.add(slow.rank(r).htExpertsAndLocalReduce(want.get(r), kernel));
        wild.add(randomBits(c.dtype().combineDType(), want.get(r).recvRows(), c.hidden(), rnd));
        bias.add(r == 2 ? null : randomBits(c.dtype().combineDType(), shapes[round][r], c.hidden(), rnd));
      }
      for (List<HiddenStates> rows : List.of(reduced, wild)) {
        for (List<HiddenStates> b : Arrays.asList(null, bias)) {
          List<HiddenStates> expected = slow.htCombineThroughPayloads(want, rows, b);
          List<HiddenStates> actual = fast.htCombine(got, rows, b);
          for (int r = 0; r < n; r++) {
            String what = dtype + " round " + round + " rank " + r + (rows == wild ? " wild" : " reduced")
                + (b == null ? "" : " bias");
            assertSameValues(expected.get(r).x(), actual.get(r).x(), what);
          }
        }
      }
    }
  }

  private static void assertSameDispatch(HtDispatchResult want, HtDispatchResult got, String what) {
    assertArrayEquals(bytes(want.recvX().x()), bytes(got.recvX().x()), what + " recvX");
    if (want.recvX().scales() != null) {
      assertArrayEquals(bytes(want.recvX().scales()), bytes(got.recvX().scales()), what + " scales");
    }
    assertArrayEquals(want.recvTopkIdx(), got.recvTopkIdx(), what + " idx");
    assertArrayEquals(want.recvTopkWeights(), got.recvTopkWeights(), what + " weights");
    assertArrayEquals(want.recvTokensPerExpert(), got.recvTokensPerExpert(), what + " per expert");
    HtHandle a = want.handle();
    HtHandle b = got.handle();
    assertEquals(a.rank(), b.rank(), what);
    assertEquals(a.worldSize(), b.worldSize(), what);
    assertArrayEquals(a.recvSrcRank(), b.recvSrcRank(), what);
    assertArrayEquals(a.recvSrcToken(), b.recvSrcToken(), what);
    assertArrayEquals(a.rankPrefix(), b.rankPrefix(), what);
    assertArrayEquals(a.sourceTokens(), b.sourceTokens(), what);
    assertEquals(a.senderTokens(), b.senderTokens(), what);
    assertArrayEquals(a.tokenInRank(), b.tokenInRank(), what);
    for (int d = 0; d < a.worldSize(); d++) {
      assertArrayEquals(a.sendTokens(d), b.sendTokens(d), what);
    }
  }

  /**
   * Bit for bit, except that any NaN equals any NaN: which operand's NaN payload survives an fp32
   * {@code +} is not pinned by Java (the JIT may swap the operands; the payload path itself gives
   * different NaN payloads from one run to the next), and no backend promises NaN payloads.
   */
  private static void assertSameValues(Tensor want, Tensor got, String what) {
    assertEquals(want.byteSize(), got.byteSize(), what);
    ByteBuffer a = want.data();
    ByteBuffer b = got.data();
    boolean bf16 = want.dtype() == DType.BF16;
    int width = bf16 ? 2 : 4;
    for (int i = 0; i < want.byteSize(); i += width) {
      int x = bf16 ? a.getShort(i) & 0xffff : a.getInt(i);
      int y = bf16 ? b.getShort(i) & 0xffff : b.getInt(i);
      boolean nanX = bf16 ? (x & 0x7fff) > 0x7f80 : (x & 0x7fffffff) > 0x7f800000;
      boolean nanY = bf16 ? (y & 0x7fff) > 0x7f80 : (y & 0x7fffffff) > 0x7f800000;
      if (x != y && !(nanX && nanY)) {
        assertEquals(Integer.toHexString(x), Integer.toHexString(y), what + " element " + i / width);
      }
    }
  }

  /** Overwrites every buffer the arena holds with {@code v}. */
  private static void poison(ResultArena arena, byte v) {
    for (int i = 0; i < 64; i++) {
      ByteBuffer b = arena.take(0);
      Arrays.fill(b.array(), v);
    }
  }

  /** Rows of raw random bits: every class of value, NaNs and -0 included. */
  private static HiddenStates randomBits(DType dtype, int rows, int hidden, SplittableRandom rnd) {
    byte[] a = new byte[rows * hidden * dtype.bytesPerElement()];
    for (int i = 0; i < a.length; i++) {
      int kind = rnd.nextInt(16);
      a[i] = kind == 0 ? (byte) 0x80 : kind == 1 ? (byte) 0x7f : kind == 2 ? 0 : (byte) rnd.nextInt(256);
    }
    return HiddenStates.of(Tensor.wrap(dtype, rows, hidden, ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN)));
  }

  private static byte[] bytes(Tensor t) {
    ByteBuffer d = t.data();
    byte[] out = new byte[t.byteSize()];
    d.get(0, out);
    return out;
  }
}
