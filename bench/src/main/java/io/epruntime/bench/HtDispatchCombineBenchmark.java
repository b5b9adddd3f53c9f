package io.epruntime.bench;

import io.epruntime.engine.HtDispatchResult;
import io.epruntime.engine.HtHandle;
import io.epruntime.engine.ReferenceEngine;
import io.epruntime.engine.ResultArena;
import io.epruntime.protocol.tensor.HiddenStates;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CPU HT dispatch and combine of the reference engine (8 ranks in one JVM, one thread) next to a
 * plain copy of the same rows measured in the same run. Each invocation moves gigabytes, so one
 * invocation is one sample ({@link Mode#SingleShotTime}). {@link CpuBenchReport} turns the times
 * into GB/s and writes the JSON.
 *
 * <p>The timed engine returns its results in a {@link ResultArena} recycled at the start of every
 * invocation (as the copy writes into its preallocated buffers): no invocation pays for zero-filled
 * fresh gigabytes. Setup's dispatch, which {@code htCombine} and {@code plainCopy} read, comes
 * from a separate engine with fresh memory, so recycling never touches it.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
@State(Scope.Benchmark)
public class HtDispatchCombineBenchmark {

  @Param("4096")
  public int tokens;

  @Param("7168")
  public int hidden;

  private HtWorld world;
  private ResultArena arena;
  private ReferenceEngine timed;
  private List<HtDispatchResult> dispatched;
  private List<HiddenStates> recvX;
  private ByteBuffer[] copyTargets;
  private ByteBuffer[] copySources;

  @Setup(Level.Trial)
  public void setUp() {
    world = new HtWorld(tokens, hidden);
    arena = new ResultArena();
    timed = new ReferenceEngine(world.config, arena);
    dispatched = world.engine.htDispatch(world.x, world.routing);
    recvX = dispatched.stream().map(HtDispatchResult::recvX).toList();
    copyTargets = new ByteBuffer[HtWorld.RANKS];
    copySources = new ByteBuffer[HtWorld.RANKS];
    for (int d = 0; d < HtWorld.RANKS; d++) {
      copySources[d] = world.x.get(d).x().data();
      copyTargets[d] = ByteBuffer.allocate(dispatched.get(d).recvRows() * hidden * 2);
    }
  }

  /** HT dispatch on every rank (in one JVM: each row copied once from its source to its receiver's recvX). */
  @Benchmark
  public List<HtDispatchResult> htDispatch() {
    arena.recycle();
    return timed.htDispatch(world.x, world.routing);
  }

  /** HT combine on every rank of the received rows as they are (DeepEP's benchmark does the same). */
  @Benchmark
  public List<HiddenStates> htCombine() {
    arena.recycle();
    return timed.htCombine(dispatched, recvX, null);
  }

  /** Dispatch then combine of what arrived. */
  @Benchmark
  public List<HiddenStates> htDispatchCombine() {
    arena.recycle();
    List<HtDispatchResult> d = timed.htDispatch(world.x, world.routing);
    return timed.htCombine(d, d.stream().map(HtDispatchResult::recvX).toList(), null);
  }

  /** The baseline: each received row copied once from its source's x into a preallocated buffer. */
  @Benchmark
  public ByteBuffer[] plainCopy() {
    int rowBytes = hidden * 2;
    for (int d = 0; d < HtWorld.RANKS; d++) {
      HtHandle h = dispatched.get(d).handle();
      ByteBuffer dst = copyTargets[d];
      int[] srcRank = h.recvSrcRank();
      int[] srcToken = h.recvSrcToken();
      for (int i = 0; i < srcRank.length; i++) {
        dst.put(i * rowBytes, copySources[srcRank[i]], srcToken[i] * rowBytes, rowBytes);
      }
    }
    return copyTargets;
  }
}
