package io.epruntime.engine;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * N ranks simulated in one JVM: N {@link RankEngine}s whose payloads are handed over in memory.
 * This is the reference every cluster step and every GPU result is checked against. Every list
 * argument and result is indexed by rank. Single-threaded and deterministic. Payload buffers are
 * recycled from one exchange to the next (a receive copies out all it keeps), so a steady run
 * does not pay for fresh zero-filled payload memory. HT dispatch and HT combine skip the payloads
 * altogether ({@link HtInMemory}): each row moves once, with the payload path's results bit for
 * bit. Results are fresh unless the engine was given a {@link ResultArena}, whose memory the HT
 * results ({@code recvX}, combine outputs) then reuse after each {@link ResultArena#recycle()}.
 */
public final class ReferenceEngine {
  private final EpConfig config;
  private final RankEngine[] ranks;
  private final PayloadPool pool;
  private final ResultArena results;

  public ReferenceEngine(EpConfig config) {
    this(config, null);
  }

  /**
   * An engine whose HT results take their memory from {@code results} (null: fresh memory). A
   * caller that recycles the arena must be done with every result handed out before.
   */
  public ReferenceEngine(EpConfig config, ResultArena results) {
    this.config = config;
    this.results = results;
    this.ranks = new RankEngine[config.worldSize()];
    // One exchange's payloads (N x N) are kept for the next; results never share their memory.
    this.pool = new PayloadPool(config.worldSize() * config.worldSize());
    for (int r = 0; r < ranks.length; r++) {
      ranks[r] = new RankEngine(config, r, pool);
    }
  }

  public EpConfig config() {
    return config;
  }

  public RankEngine rank(int r) {
    return ranks[r];
  }

  public List<DispatchLayout> layout(List<Routing> routing) {
    checkSize(routing, "routing");
    List<DispatchLayout> out = new ArrayList<>();
    for (int r = 0; r < ranks.length; r++) {
      out.add(ranks[r].layout(routing.get(r)));
    }
    return out;
  }

  public List<HtDispatchResult> htDispatch(List<HiddenStates> x, List<Routing> routing) {
    checkSize(x, "x");
    checkSize(routing, "routing");
    return HtInMemory.dispatch(config, ranks, x, routing, results);
  }

  /** The same dispatch through every rank's payloads ({@link RankEngine#htDispatchSend} / {@code Receive}). */
  List<HtDispatchResult> htDispatchThroughPayloads(List<HiddenStates> x, List<Routing> routing) {
    ByteBuffer[][] sent = new ByteBuffer[ranks.length][];
    for (int r = 0; r < ranks.length; r++) {
      sent[r] = ranks[r].htDispatchSend(x.get(r), routing.get(r));
    }
    List<HtDispatchResult> out = new ArrayList<>();
    for (int r = 0; r < ranks.length; r++) {
      out.add(ranks[r].htDispatchReceive(column(sent, r)));
    }
    pool.release(sent);
    return out;
  }

  /** Cached dispatch of new rows {@code x} with each rank's handle from an earlier dispatch. */
  public List<HiddenStates> htCachedDispatch(List<HtHandle> handles, List<HiddenStates> x) {
    checkSize(handles, "handles");
    checkSize(x, "x");
    ByteBuffer[][] sent = new ByteBuffer[ranks.length][];
    for (int r = 0; r < ranks.length; r++) {
      sent[r] = ranks[r].htCachedDispatchSend(handles.get(r), x.get(r));
    }
    List<HiddenStates> out = new ArrayList<>();
    for (int r = 0; r < ranks.length; r++) {
      out.add(ranks[r].htCachedDispatchReceive(handles.get(r), column(sent, r)));
    }
    pool.release(sent);
    return out;
  }

  /** HT combine of each rank's reduced rows; {@code biasOrNull} may be null or hold nulls. */
  public List<HiddenStates> htCombine(List<HtDispatchResult> d, List<HiddenStates> reducedRows, List<HiddenStates> biasOrNull) {
    checkSize(d, "d");
    checkSize(reducedRows, "reducedRows");
    if (biasOrNull != null) {
      checkSize(biasOrNull, "biasOrNull");
    }
    if (HtInMemory.canCombine(config, reducedRows, biasOrNull)) {
      return HtInMemory.combine(config, d, reducedRows, biasOrNull, results);
    }
    return htCombineThroughPayloads(d, reducedRows, biasOrNull);
  }

  /** The same combine through every rank's payloads ({@link RankEngine#htCombineSend} / {@code Receive}). */
  List<HiddenStates> htCombineThroughPayloads(List<HtDispatchResult> d, List<HiddenStates> reducedRows,
      List<HiddenStates> biasOrNull) {
    ByteBuffer[][] sent = new ByteBuffer[ranks.length][];
    for (int r = 0; r < ranks.length; r++) {
      sent[r] = ranks[r].htCombineSend(d.get(r), reducedRows.get(r));
    }
    List<HiddenStates> out = new ArrayList<>();
    for (int r = 0; r < ranks.length; r++) {
      out.add(ranks[r].htCombineReceive(column(sent, r), biasOrNull == null ? null : biasOrNull.get(r)));
    }
    pool.release(sent);
    return out;
  }

  public List<LlDispatchResult> llDispatch(List<HiddenStates> x, List<Routing> routing) {
    checkSize(x, "x");
    checkSize(routing, "routing");
    ByteBuffer[][] sent = new ByteBuffer[ranks.length][];
    for (int r = 0; r < ranks.length; r++) {
      sent[r] = ranks[r].llDispatchSend(x.get(r), routing.get(r));
    }
    List<LlDispatchResult> out = new ArrayList<>();
    for (int r = 0; r < ranks.length; r++) {
      out.add(ranks[r].llDispatchReceive(column(sent, r)));
    }
    pool.release(sent);
    return out;
  }

  public List<HiddenStates> llCombine(List<LlDispatchResult> d, List<HiddenStates> expertOut, List<Routing> routing) {
    checkSize(d, "d");
    checkSize(expertOut, "expertOut");
    checkSize(routing, "routing");
    ByteBuffer[][] sent = new ByteBuffer[ranks.length][];
    for (int r = 0; r < ranks.length; r++) {
      sent[r] = ranks[r].llCombineSend(d.get(r), expertOut.get(r));
    }
    List<HiddenStates> out = new ArrayList<>();
    for (int r = 0; r < ranks.length; r++) {
      out.add(ranks[r].llCombineReceive(column(sent, r), routing.get(r)));
    }
    pool.release(sent);
    return out;
  }

  /**
   * One whole MoE step, as the cluster runs it: dispatch, the local experts, combine. Returns each
   * rank's {@code [T_r, H]} output in the combine dtype.
   */
  public List<HiddenStates> runStep(StepMode mode, ExpertKernel kernel, List<HiddenStates> x, List<Routing> routing) {
    if (mode == StepMode.LL) {
      List<LlDispatchResult> d = llDispatch(x, routing);
      List<HiddenStates> y = new ArrayList<>();
      for (int r = 0; r < ranks.length; r++) {
        y.add(ranks[r].llExperts(d.get(r), kernel));
      }
      return llCombine(d, y, routing);
    }
    List<HtDispatchResult> d = htDispatch(x, routing);
    List<HiddenStates> reduced = new ArrayList<>();
    for (int r = 0; r < ranks.length; r++) {
      reduced.add(ranks[r].htExpertsAndLocalReduce(d.get(r), kernel));
    }
    return htCombine(d, reduced, null);
  }

  /** Everything sent to {@code destination}, indexed by source. */
  private static ByteBuffer[] column(ByteBuffer[][] sent, int destination) {
    ByteBuffer[] in = new ByteBuffer[sent.length];
    for (int s = 0; s < sent.length; s++) {
      in[s] = sent[s][destination];
    }
    return in;
  }

  private void checkSize(List<?> list, String argument) {
    if (list == null || list.size() != ranks.length) {
      throw new EpArgumentException(argument, argument + " needs one entry per rank (" + ranks.length + "), got "
          + (list == null ? "null" : list.size()));
    }
  }
}
