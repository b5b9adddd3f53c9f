package io.epruntime.engine;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import java.nio.ByteBuffer;

/**
 * One rank's half of every exchange, as pure functions without I/O: the cluster's CPU backend
 * ships the payloads over Aeron, {@link ReferenceEngine} passes them in memory. The index of the
 * array a {@code *Send} method returns is the destination rank; the index of the array a
 * {@code *Receive} method takes is the source rank. A rank's payload to itself takes the same path.
 * Every rank sends every other rank a payload in every exchange, empty or not.
 *
 * <h2>Accumulation orders (fp32 results are bit-identical across backends)</h2>
 * <ul>
 *   <li>HT local reduce, per received row: {@code acc = 0f}; for slots {@code k} ascending with
 *       local id {@code l >= 0}: {@code acc = fma(w[k], expert_{first+l}(row), acc)}; rounded once
 *       to the combine dtype.
 *   <li>HT combine, per original token: {@code acc = 0f}; for source ranks ascending that received
 *       the token: {@code acc += row}; then {@code acc += bias}; rounded once. Unweighted.
 *   <li>LL combine, per token {@code t}: {@code acc = 0f}; for slots {@code k} ascending with
 *       {@code e = topk_idx[t,k] >= 0}: {@code acc = fma(w[t,k], y_e(t), acc)}; rounded once.
 * </ul>
 * {@code fma} is a fused multiply-add with one rounding ({@link Math#fma(float, float, float)},
 * CUDA {@code fmaf}); {@code +} is one fp32 add ({@code __fadd_rn}). Expert inputs are fp32:
 * bf16 widened exactly, fp8 as {@code code * scale} (one fp32 multiply).
 *
 * <h2>Payload format</h2>
 * Little-endian, from the buffer's position. A 32-byte header:
 * <pre>
 *   0 int   magic 0x31575045 ("EPW1")     4 short version (1)     6 short kind
 *   8 int   source rank                   12 int  destination rank
 *  16 int   rows n (pairs for LL)         20 int  hidden H
 *  24 byte  dtype (DType ordinal: 0 bf16, 1 fp32, 2 fp8-e4m3)      25 byte flags
 *  26 short K                             28 int  aux: token count of the sender (dispatch)
 *                                                 or of the home rank (HT combine), 0 otherwise
 * </pre>
 * Then, by kind (rows are {@code H * bytes(dtype)} bytes; scales {@code H/128} fp32, fp8 only):
 * <pre>
 *   1 HT dispatch:   int[n] source token | int[n*K] local id or -1 | float[n*K] weight (0 at -1)
 *                    | rows[n] | scales[n] | if flags&amp;1 (payload to itself): byte[T*N] token-in-rank
 *   2 HT cached:     rows[n] | scales[n]                         (rows in the handle's order)
 *   3 HT combine:    int[n] home token (ascending) | rows[n]     (combine dtype)
 *   4 LL dispatch:   int[n] local expert | int[n] source token | rows[n] | scales[n]
 *                    (pairs in ascending token, then ascending top-k slot)
 *   5 LL combine:    int[n] local expert | int[n] home token | rows[n]   (combine dtype)
 * </pre>
 * Every receive checks magic, version, kind, ranks, dtype, width and sizes, and fails with an
 * {@link EpArgumentException} naming {@code fromSource[i]} / {@code fromRank[i]}.
 *
 * <p>fp8 worlds dispatch fp8 codes with their scales; expert outputs and combine use bf16
 * ({@code DType.combineDType()}). Instances hold no step state and are safe to share.
 */
public final class RankEngine {
  private final EpConfig config;
  private final int rank;
  private final HtDispatcher htDispatcher;
  private final HtCombiner htCombiner;
  private final LlExchange llExchange;
  private final LlCombineReceiver llCombineReceiver;

  public RankEngine(EpConfig config, int rank) {
    this(config, rank, PayloadAllocator.heap());
  }

  /** A rank whose payloads come from {@code allocator} (recycled or off-heap buffers). */
  public RankEngine(EpConfig config, int rank, PayloadAllocator allocator) {
    if (config == null || allocator == null) {
      throw new EpArgumentException(config == null ? "config" : "allocator", "config and allocator are required");
    }
    EpArgumentException.require(rank >= 0 && rank < config.worldSize(), "rank", rank, "0.." + (config.worldSize() - 1));
    this.config = config;
    this.rank = rank;
    this.htDispatcher = new HtDispatcher(config, rank, allocator);
    this.htCombiner = new HtCombiner(config, rank, allocator);
    this.llExchange = new LlExchange(config, rank, allocator);
    this.llCombineReceiver = new LlCombineReceiver(config, rank);
  }

  public EpConfig config() {
    return config;
  }

  public int rank() {
    return rank;
  }

  /** DeepEP's {@code get_dispatch_layout} for this rank's routing (validated first). */
  public DispatchLayout layout(Routing routing) {
    return htDispatcher.layout(routing);
  }

  /** Validates {@code x} and {@code routing} ({@link EpConfig#validate}) and packs one payload per destination. */
  public ByteBuffer[] htDispatchSend(HiddenStates x, Routing routing) {
    return htDispatcher.send(x, routing);
  }

  public HtDispatchResult htDispatchReceive(ByteBuffer[] fromSource) {
    return htDispatcher.receive(fromSource);
  }

  /** Re-dispatches new rows {@code x} (same token count) with the layout of an earlier dispatch. */
  public ByteBuffer[] htCachedDispatchSend(HtHandle senderHandle, HiddenStates x) {
    return htDispatcher.cachedSend(senderHandle, x);
  }

  /** The receive half of a cached dispatch: rows in the order of {@code receiverHandle}. */
  public HiddenStates htCachedDispatchReceive(HtHandle receiverHandle, ByteBuffer[] fromSource) {
    return htDispatcher.cachedReceive(receiverHandle, fromSource);
  }

  /**
   * Per received row, the weighted sum of this rank's experts the row chose (order in the class
   * comment), rounded once to the combine dtype: {@code [R, H]}.
   */
  public HiddenStates htExpertsAndLocalReduce(HtDispatchResult d, ExpertKernel kernel) {
    return htCombiner.expertsAndLocalReduce(d, kernel);
  }

  /** Sends each reduced row home; index = the rows' source rank. {@code reducedRows} is in the combine dtype. */
  public ByteBuffer[] htCombineSend(HtDispatchResult d, HiddenStates reducedRows) {
    return htCombiner.send(d, reducedRows);
  }

  /**
   * {@code [T, H]} in the combine dtype: per original token the unweighted sum of the rows from
   * every rank that received it, ascending source rank, fp32, plus {@code biasOrNull}, rounded once.
   */
  public HiddenStates htCombineReceive(ByteBuffer[] fromRank, HiddenStates biasOrNull) {
    return htCombiner.receive(fromRank, biasOrNull);
  }

  /** Validates and packs one message per (token, expert) pair; more than M tokens is an error. */
  public ByteBuffer[] llDispatchSend(HiddenStates x, Routing routing) {
    return llExchange.dispatchSend(x, routing);
  }

  public LlDispatchResult llDispatchReceive(ByteBuffer[] fromSource) {
    return llExchange.dispatchReceive(fromSource);
  }

  /** Expert outputs in the layout of {@code d.recvX()}, combine dtype; unused rows stay zero. */
  public HiddenStates llExperts(LlDispatchResult d, ExpertKernel kernel) {
    return llExchange.experts(d, kernel);
  }

  public ByteBuffer[] llCombineSend(LlDispatchResult d, HiddenStates expertOut) {
    return llExchange.combineSend(d, expertOut);
  }

  /**
   * Receive, experts and combine send of LL in one pass, for callers that never look at
   * {@code recvX}: the combine payloads equal {@code llCombineSend(d, llExperts(d, kernel))} with
   * {@code d = llDispatchReceive(fromSource)} byte for byte, without building the padded
   * {@code [localExperts, N * M, H]} layout.
   */
  public LlExpertPass llExpertsInPlace(ByteBuffer[] fromSource, ExpertKernel kernel) {
    return llExchange.expertsInPlace(fromSource, kernel);
  }

  /**
   * {@code [T, H]}: for token t, {@code sum over k ascending of w[t,k] * y_{e(t,k)}(t)} with fused
   * multiply-adds in fp32, rounded once to the combine dtype. {@code routing} is this rank's own.
   */
  public HiddenStates llCombineReceive(ByteBuffer[] fromRank, Routing routing) {
    return llCombineReceiver.receive(fromRank, routing);
  }
}
