package io.epruntime.nativeep;

import io.epruntime.nativeep.internal.NativeEp;
import io.epruntime.protocol.EpArgumentException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One rank's native-ep group: a handle over a caller-owned device workspace and CUDA stream (both
 * plain device addresses, from JCuda in the rank). Every operation only queues work on the stream;
 * completion is observed with {@link #onStreamDone}, a host function that calls back into Java.
 *
 * <p>Not thread-safe: the one thread that owns the GPU drives a group. {@link #close()} aborts the
 * communicator and frees the host state; the workspace stays the caller's.
 */
public final class EpGroup implements AutoCloseable {
  private static final AtomicLong NEXT_TOKEN = new AtomicLong(1);

  private final EpGroupConfig config;
  private final long stream;
  private long handle;

  private EpGroup(EpGroupConfig config, long handle, long stream) {
    this.config = config;
    this.handle = handle;
    this.stream = stream;
  }

  /** Creates a group over {@code workspaceBytes} of device memory at {@code workspace}. */
  public static EpGroup create(EpGroupConfig config, long workspace, long workspaceBytes, long stream) {
    NativeEpLibrary.ensureAvailable();
    if (config == null) {
      throw new EpArgumentException("config", "config is required");
    }
    return new EpGroup(config, NativeEp.groupCreate0(config.toArray(), workspace, workspaceBytes, stream), stream);
  }

  public EpGroupConfig config() {
    return config;
  }

  public long stream() {
    return stream;
  }

  /** Starts a non-blocking communicator from the coordinator's 128-byte unique id. */
  public void commInit(byte[] uniqueId) {
    if (uniqueId == null || uniqueId.length != 128) {
      throw new EpArgumentException("uniqueId", "uniqueId needs 128 bytes, got " + (uniqueId == null ? "null" : uniqueId.length));
    }
    NativeEp.commInit0(live(), uniqueId);
  }

  /** The communicator's state now ({@code ncclCommGetAsyncError}); never waits. */
  public CommState commState() {
    int s = NativeEp.commState0(live());
    if (s == 2) {
      return new CommState(CommState.Phase.FAILED, NativeEp.lastError0());
    }
    return new CommState(s == 0 ? CommState.Phase.READY : CommState.Phase.IN_PROGRESS, null);
  }

  /** {@code ncclCommAbort}; safe more than once. */
  public void abort() {
    if (handle != 0) {
      NativeEp.commAbort0(handle);
    }
  }

  /**
   * Arms the peer path ({@link EpGroupConfig.DataPath#PEER_WINDOWS}): {@code bases[r]} is rank r's
   * workspace as mapped into this process, {@code bases[rank]} this group's own. Clears the group's
   * barrier flags and waits for that (a blocking wait, once per generation). Every in-kernel wait
   * for a peer gives up after {@code timeoutNanos}.
   */
  public void setPeers(long[] bases, long timeoutNanos) {
    if (bases == null || bases.length != config.worldSize()) {
      throw new EpArgumentException("bases", "bases needs " + config.worldSize() + " entries, got "
          + (bases == null ? "null" : bases.length));
    }
    NativeEp.setPeers0(live(), bases, timeoutNanos);
  }

  public GroupBuffers buffers() {
    return GroupBuffers.of(NativeEp.buffers0(live()));
  }

  public DispatchView view() {
    return DispatchView.of(NativeEp.view0(live()));
  }

  public void layout(int tokens) {
    NativeEp.layout0(live(), tokens);
  }

  /**
   * HT dispatch. Returns true when all of it is queued; false when its NCCL group is still being
   * enqueued (first contact with a peer): then poll {@link #commState()} and call {@link #resume()}.
   * The peer path always returns true. The same holds for the other ops that return a boolean.
   */
  public boolean htDispatch(int tokens, int[] tokensPerRank) {
    if (tokensPerRank == null || tokensPerRank.length != config.worldSize()) {
      throw new EpArgumentException("tokensPerRank", "tokensPerRank needs " + config.worldSize() + " entries, got "
          + (tokensPerRank == null ? "null" : tokensPerRank.length));
    }
    return NativeEp.htDispatch0(live(), tokens, tokensPerRank) == 0;
  }

  public boolean htDispatchCached() {
    return NativeEp.htDispatchCached0(live()) == 0;
  }

  public void htExperts(ExpertKind kind) {
    NativeEp.htExperts0(live(), kind.ordinal());
  }

  public boolean htCombine() {
    return NativeEp.htCombine0(live()) == 0;
  }

  public boolean llDispatch(int tokens) {
    return NativeEp.llDispatch0(live(), tokens) == 0;
  }

  public void llExperts(ExpertKind kind) {
    NativeEp.llExperts0(live(), kind.ordinal());
  }

  public boolean llCombine() {
    return NativeEp.llCombine0(live()) == 0;
  }

  /**
   * Queues what an op that returned false left, once NCCL is done enqueueing; false while it is
   * not yet (poll again later). True at once when nothing was left.
   */
  public boolean resume() {
    return NativeEp.resume0(live()) == 0;
  }

  /**
   * Connects to every peer before the first step (one tiny exchange with each); false while NCCL
   * still connects: then {@link #resume()} until true.
   */
  public boolean commWarmup() {
    return NativeEp.commWarmup0(live()) == 0;
  }

  /** swiglu weights on the device, fp32: w1, w3 {@code [L, I, H]}, w2 {@code [L, H, I]}. */
  public void setSwiglu(int intermediate, long w1, long w3, long w2) {
    NativeEp.setSwiglu0(live(), intermediate, w1, w3, w2);
  }

  /**
   * Runs {@code action} once everything queued on the stream so far has finished. It runs on a CUDA
   * driver thread and must not call CUDA or block: complete a future, tell an actor.
   */
  public void onStreamDone(Runnable action) {
    live();
    long token = NEXT_TOKEN.getAndIncrement();
    NativeEp.registerCallback(token, action);
    try {
      NativeEp.addHostCallback0(stream, token);
    } catch (RuntimeException e) {
      NativeEp.unregisterCallback(token);
      throw e;
    }
  }

  @Override
  public void close() {
    if (handle != 0) {
      long h = handle;
      handle = 0;
      NativeEp.groupDestroy0(h);
    }
  }

  private long live() {
    if (handle == 0) {
      throw new NativeEpException(NativeEpException.STATE, "the group is closed");
    }
    return handle;
  }

  /** A communicator's state; {@code error} says why when FAILED. */
  public record CommState(Phase phase, String error) {
    public enum Phase { READY, IN_PROGRESS, FAILED }
  }
}
