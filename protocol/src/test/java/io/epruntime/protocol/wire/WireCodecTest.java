package io.epruntime.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.cluster.RunStep;
import io.epruntime.protocol.cluster.StepCompleted;
import io.epruntime.protocol.cluster.StepError;
import io.epruntime.protocol.cluster.StepFailedOnRank;
import io.epruntime.protocol.cluster.SubmitStep;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.ep.StepStatus;
import io.epruntime.protocol.ep.StepTrace;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WireCodecTest {

  static HiddenStates randomStates(DType dtype, int tokens, int hidden, long seed) {
    Random rnd = new Random(seed);
    float[][] rows = new float[tokens][hidden];
    for (float[] row : rows) {
      for (int c = 0; c < hidden; c++) {
        row[c] = (float) rnd.nextGaussian();
      }
    }
    if (dtype == DType.FP8_E4M3) {
      return HiddenStates.quantizeFp8(rows, hidden);
    }
    Tensor x = Tensor.allocate(dtype, tokens, hidden);
    for (int t = 0; t < tokens; t++) {
      x.writeRow(t, rows[t]);
    }
    return HiddenStates.of(x);
  }

  static Routing randomRouting(int tokens, int topk, int experts, long seed) {
    Random rnd = new Random(seed);
    long[] idx = new long[tokens * topk];
    float[] w = new float[tokens * topk];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = rnd.nextInt(experts + 1) - 1;
      w[i] = rnd.nextFloat();
    }
    return new Routing(tokens, topk, idx, w);
  }

  static BootstrapRecord bootstrap() {
    byte[] id = new byte[128];
    new Random(7).nextBytes(id);
    return new BootstrapRecord(42, 3, 1, id, List.of("10.0.0.1:40123", "10.0.0.2:40123", "héllo-ü:1"),
        List.of("pekko://ep@a:1", "pekko://ep@b:1", "pekko://ep@c:1"));
  }

  static void assertSameStates(HiddenStates expected, HiddenStates actual) {
    assertTrue(expected.x().contentEquals(actual.x()), "x differs");
    if (expected.scales() == null) {
      assertNull(actual.scales());
    } else {
      assertTrue(expected.scales().contentEquals(actual.scales()), "scales differ");
    }
  }

  @Test
  void bootstrapRoundTrips() {
    BootstrapRecord b = bootstrap();
    assertEquals(b, BootstrapRecord.decode(ByteBuffer.wrap(b.encode())));
  }

  @Test
  void peerPhaseRoundTripsWithEveryWindow() {
    BootstrapRecord peers = bootstrap().withPeers(List.of(new byte[] {1, 2, 3}, new byte[0], new byte[BootstrapRecord.MAX_WINDOW]));
    BootstrapRecord back = BootstrapRecord.decode(ByteBuffer.wrap(peers.forRank(2).encode()));
    assertEquals(BootstrapRecord.Phase.PEERS, back.phase());
    assertEquals(2, back.rank());
    assertArrayEquals(new byte[] {1, 2, 3}, back.peerWindows().get(0));
    assertEquals(0, back.peerWindows().get(1).length);
    assertEquals(peers.forRank(2), back);
  }

  @Test
  void peerPhaseRefusesAWrongTable() {
    var tooFew = assertThrows(io.epruntime.protocol.EpArgumentException.class, () -> bootstrap().withPeers(List.of(new byte[1])));
    assertEquals("peerWindows", tooFew.argument());
    var tooBig = assertThrows(io.epruntime.protocol.EpArgumentException.class,
        () -> bootstrap().withPeers(List.of(new byte[0], new byte[0], new byte[BootstrapRecord.MAX_WINDOW + 1])));
    assertEquals("peerWindows[2]", tooBig.argument());
    // A frame whose phase byte (after the header, generation, world size and rank) is out of range
    // is refused naming the field.
    byte[] frame = bootstrap().encode();
    frame[WireType.HEADER_BYTES + 8 + 4 + 4] = 9;
    WireFormatException bad = assertThrows(WireFormatException.class, () -> BootstrapRecord.decode(ByteBuffer.wrap(frame)));
    assertEquals("phase", bad.argument());
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void stepInputRoundTrips(DType dtype) {
    StepInputFrame f = new StepInputFrame(9, 77, 2, "127.0.0.1:5000", randomStates(dtype, 5, 256, 1), randomRouting(5, 4, 16, 2));
    StepInputFrame g = StepInputFrame.decode(ByteBuffer.wrap(f.encode()));
    assertEquals(f.clientId(), g.clientId());
    assertEquals(f.requestId(), g.requestId());
    assertEquals(f.rank(), g.rank());
    assertEquals(f.replyEndpoint(), g.replyEndpoint());
    assertSameStates(f.x(), g.x());
    assertArrayEquals(f.routing().topkIdx(), g.routing().topkIdx());
    assertArrayEquals(f.routing().topkWeights(), g.routing().topkWeights());
  }

  @Test
  void stepOutputRoundTripsOkAndError() {
    StepTrace trace = new StepTrace(10, 20, 30, 40, 50, 90, 15, 12);
    StepOutputFrame ok = StepOutputFrame.ok(1, 2, 3, 4, 5, StepMode.LL, 4096, 2048, randomStates(DType.BF16, 0, 64, 3), trace);
    StepOutputFrame okBack = StepOutputFrame.decode(ByteBuffer.wrap(ok.encode()));
    assertEquals(trace, okBack.trace());
    assertEquals(ok.seq(), okBack.seq());
    assertEquals(ok.generation(), okBack.generation());
    assertEquals(StepMode.LL, okBack.mode());
    assertEquals(4096, okBack.dispatchBytes());
    assertEquals(2048, okBack.combineBytes());
    assertSameStates(ok.combined(), okBack.combined());

    StepOutputFrame err = StepOutputFrame.failed(1, 2, 3, 4, 5, io.epruntime.protocol.ep.StepStatus.REJECTED, "x.hidden: 7 != 64");
    StepOutputFrame errBack = StepOutputFrame.decode(ByteBuffer.wrap(err.encode()));
    assertEquals(err, errBack);
  }

  @Test
  void meshRoundTrips() {
    ByteBuffer payload = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5});
    MeshFrame m = new MeshFrame(3, 11, MeshFrame.COMBINE, 2, payload);
    MeshFrame back = MeshFrame.decode(ByteBuffer.wrap(m.encode()));
    assertEquals(3, back.generation());
    assertEquals(11, back.seq());
    assertEquals(MeshFrame.COMBINE, back.phase());
    assertEquals(2, back.source());
    assertEquals(payload, back.payload());
  }

  /** Every strict prefix of a valid frame is refused with a WireFormatException, never another exception. */
  @Test
  void everyTruncationIsRejectedCleanly() {
    checkTruncations(bootstrap().encode(), BootstrapRecord::decode);
    checkTruncations(new StepInputFrame(1, 2, 0, "h:1", randomStates(DType.FP8_E4M3, 2, 128, 4), randomRouting(2, 2, 4, 5)).encode(),
        StepInputFrame::decode);
    checkTruncations(StepOutputFrame.ok(1, 2, 3, 4, 5, StepMode.HT, 1, 2, randomStates(DType.FP32, 2, 8, 6), StepTrace.NONE).encode(), StepOutputFrame::decode);
    for (byte[] f : stepControlFrames()) {
      checkTruncations(f, StepControlCodec::decode);
    }
    checkTruncations(new MeshFrame(1, 2, MeshFrame.DISPATCH, 0, ByteBuffer.wrap(new byte[40])).encode(), MeshFrame::decode);
  }

  private static final SubmitStep SUBMIT = new SubmitStep(77, 8, 4, new int[] {0, 5}, ExpertKernelSpec.swiglu(3, 64), null, "10.0.0.9:4", 7);
  private static final RunStep RUN = new RunStep(41, 4, 2, StepMode.LL, new int[] {1, 2, 3}, ExpertKernelSpec.scale(), 77, 8, "10.0.0.1:5",
      new StepTrace(100, 200, 300, 0, 0, 0, 0, 0));
  private static final StepCompleted COMPLETED = new StepCompleted(41, 4, 2, 10, 2048, 1024, 12345);
  private static final StepFailedOnRank FAILED = new StepFailedOnRank(41, 4, 1, StepStatus.RETRIABLE, "generation 4 ended: rank 3 lost");
  private static final StepError ERROR = new StepError(77, 8, StepStatus.REJECTED, 4, "tokensPerRank", "tokensPerRank[1] = -1 must be >= 0");

  private static List<byte[]> stepControlFrames() {
    return List.of(StepControlCodec.encode(SUBMIT), StepControlCodec.encode(RUN), StepControlCodec.encode(COMPLETED),
        StepControlCodec.encode(FAILED), StepControlCodec.encode(ERROR));
  }

  @Test
  void stepControlFramesRoundTrip() {
    SubmitStep s = (SubmitStep) StepControlCodec.decode(ByteBuffer.wrap(StepControlCodec.encode(SUBMIT)));
    assertEquals(SUBMIT.clientId(), s.clientId());
    assertArrayEquals(SUBMIT.tokensPerRank(), s.tokensPerRank());
    assertEquals(SUBMIT.kernel(), s.kernel());
    assertNull(s.requestedMode());
    assertEquals("10.0.0.9:4", s.replyEndpoint());
    RunStep r = (RunStep) StepControlCodec.decode(ByteBuffer.wrap(StepControlCodec.encode(RUN)));
    assertEquals(List.of(RUN.seq(), RUN.generation(), RUN.index(), RUN.clientId(), RUN.requestId()),
        List.of(r.seq(), r.generation(), r.index(), r.clientId(), r.requestId()));
    assertEquals(StepMode.LL, r.mode());
    assertArrayEquals(RUN.tokensPerRank(), r.tokensPerRank());
    assertEquals("10.0.0.1:5", r.reportTo());
    assertEquals(RUN.trace(), r.trace());
    assertEquals(7, s.sentNanos());
    assertEquals(COMPLETED, StepControlCodec.decode(ByteBuffer.wrap(StepControlCodec.encode(COMPLETED))));
    assertEquals(FAILED, StepControlCodec.decode(ByteBuffer.wrap(StepControlCodec.encode(FAILED))));
    assertEquals(ERROR, StepControlCodec.decode(ByteBuffer.wrap(StepControlCodec.encode(ERROR))));
  }

  @Test
  void aTraceNamesEveryHopAndMarksMissingOnes() {
    StepTrace t = new StepTrace(100, 130, 140, 190, 200, 1200, 300, 200);
    var hops = t.hops(1260);
    assertEquals(StepTrace.HOPS, List.copyOf(hops.keySet()));
    assertEquals(List.of(30L, 10L, 50L, 10L, 300L, 500L, 200L, 60L), List.copyOf(hops.values()));
    assertEquals(-1L, new StepTrace(0, 130, 140, 190, 200, 1200, 300, 200).hops(1260).get("client_to_coordinator"));
  }

  @Test
  void stepControlFramesRefuseBadFieldsByName() {
    byte[] run = StepControlCodec.encode(RUN);
    run[WireType.HEADER_BYTES + 8 + 8 + 8] = 5; // the mode byte
    assertEquals("mode", assertThrows(WireFormatException.class, () -> StepControlCodec.decode(ByteBuffer.wrap(run))).argument());
    byte[] failed = StepControlCodec.encode(FAILED);
    failed[WireType.HEADER_BYTES + 8 + 8 + 4] = 42; // the status byte
    assertEquals("status", assertThrows(WireFormatException.class, () -> StepControlCodec.decode(ByteBuffer.wrap(failed))).argument());
    byte[] submit = StepControlCodec.encode(SUBMIT);
    submit[WireType.HEADER_BYTES + 8 + 8 + 8] = 0; // no ranks
    assertEquals("tokensPerRank.count",
        assertThrows(WireFormatException.class, () -> StepControlCodec.decode(ByteBuffer.wrap(submit))).argument());
    assertEquals("type", assertThrows(WireFormatException.class,
        () -> StepControlCodec.decode(ByteBuffer.wrap(bootstrap().encode()))).argument());
  }

  private static void checkTruncations(byte[] frame, Function<ByteBuffer, ?> decoder) {
    for (int len = 0; len < frame.length; len++) {
      ByteBuffer cut = ByteBuffer.wrap(frame, 0, len).slice();
      int l = len;
      assertThrows(WireFormatException.class, () -> decoder.apply(cut), () -> "prefix of " + l + " bytes");
    }
  }

  @Test
  void badHeaderFieldsAreNamed() {
    byte[] frame = bootstrap().encode();
    byte[] badMagic = frame.clone();
    badMagic[0] ^= 0x55;
    assertEquals("magic", assertThrows(WireFormatException.class, () -> BootstrapRecord.decode(ByteBuffer.wrap(badMagic))).argument());
    byte[] badVersion = frame.clone();
    badVersion[4] = 9;
    assertEquals("version", assertThrows(WireFormatException.class, () -> BootstrapRecord.decode(ByteBuffer.wrap(badVersion))).argument());
    byte[] unknownType = frame.clone();
    unknownType[5] = 99;
    assertEquals("type", assertThrows(WireFormatException.class, () -> BootstrapRecord.decode(ByteBuffer.wrap(unknownType))).argument());
    WireFormatException wrongType = assertThrows(WireFormatException.class, () -> StepInputFrame.decode(ByteBuffer.wrap(frame)));
    assertTrue(wrongType.getMessage().contains("expected a STEP_INPUT frame, got BOOTSTRAP"), wrongType.getMessage());
    byte[] trailing = java.util.Arrays.copyOf(frame, frame.length + 3);
    assertThrows(WireFormatException.class, () -> BootstrapRecord.decode(ByteBuffer.wrap(trailing)));
  }

  @Test
  void absurdCountsAndCodesAreRejectedWithoutAllocating() {
    // worldSize of 2^31-1 must not allocate: refused by range.
    ByteBuffer b = header(WireType.BOOTSTRAP).putLong(1).putInt(Integer.MAX_VALUE).flip();
    assertEquals("worldSize", assertThrows(WireFormatException.class, () -> BootstrapRecord.decode(b)).argument());
    // A tensor claiming 2^31 rows x 2^31 cols in a tiny frame.
    ByteBuffer t = header(WireType.STEP_INPUT).putLong(1).putLong(2).putInt(0).putInt(3).put("h:1".getBytes())
        .put((byte) 1).putInt(Integer.MAX_VALUE).putInt(Integer.MAX_VALUE).flip();
    assertEquals("x.data", assertThrows(WireFormatException.class, () -> StepInputFrame.decode(t)).argument());
    // An unknown dtype code.
    ByteBuffer d = header(WireType.STEP_INPUT).putLong(1).putLong(2).putInt(0).putInt(3).put("h:1".getBytes())
        .put((byte) 17).flip();
    assertEquals("x.dtype", assertThrows(WireFormatException.class, () -> StepInputFrame.decode(d)).argument());
    // Invalid UTF-8 in a string.
    ByteBuffer s = header(WireType.STEP_INPUT).putLong(1).putLong(2).putInt(0).putInt(2).put((byte) 0xc3).put((byte) 0x28).flip();
    assertEquals("replyEndpoint", assertThrows(WireFormatException.class, () -> StepInputFrame.decode(s)).argument());
  }

  @Test
  void invalidRecordContentsAreRefusedWhenDecoding() {
    // dataEndpoints must have one entry per rank: 3 ranks, 1 endpoint.
    ByteBuffer b = header(WireType.BOOTSTRAP).putLong(1).putInt(3).putInt(0).put((byte) 0).putInt(0).putInt(1).putInt(3)
        .put("a:1".getBytes()).putInt(0).putInt(0).flip();
    assertEquals("dataEndpoints", assertThrows(WireFormatException.class, () -> BootstrapRecord.decode(b)).argument());
  }

  private static ByteBuffer header(WireType type) {
    return ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN).putInt(WireType.MAGIC).put(WireType.VERSION).put(type.code());
  }
}
