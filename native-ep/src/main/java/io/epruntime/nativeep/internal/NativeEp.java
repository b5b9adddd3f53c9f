package io.epruntime.nativeep.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JNI surface of native-ep: {@code private static native ...0} methods, one C++ file
 * ({@code jni/NativeEp.cpp}) behind them. Internal: callers use {@link io.epruntime.nativeep.EpGroup}
 * and {@link io.epruntime.nativeep.NativeEpLibrary}, which load the library first and check
 * arguments. Every native method throws {@link io.epruntime.protocol.EpArgumentException} for bad
 * input and {@link io.epruntime.nativeep.NativeEpException} for CUDA/NCCL failures; ops that can
 * end in an NCCL group return 1 when NCCL was still enqueueing it (finish with {@link #resume0}).
 */
public final class NativeEp {
  private static final Map<Long, Runnable> CALLBACKS = new ConcurrentHashMap<>();

  private NativeEp() {}

  public static native String buildInfo0();

  public static native int ncclLoad0(String path);

  public static native byte[] ncclUniqueId0();

  /** {@code cfg} = world, rank, experts, hidden, topk, maxTokens, llMaxTokens, alignment, dtype, smBudget, flags. */
  public static native long workspaceBytes0(int[] cfg);

  public static native long groupCreate0(int[] cfg, long workspace, long workspaceBytes, long stream);

  public static native void commInit0(long group, byte[] uniqueId);

  /** 0 ready, 1 in progress, 2 failed (then {@link #lastError0()} says why). */
  public static native int commState0(long group);

  /** 0 when the warm-up exchange is queued, 1 while NCCL still connects (then {@link #resume0}). */
  public static native int commWarmup0(long group);

  /** 0 when what an in-progress op left is queued (or nothing was left), 1 while NCCL is still busy. */
  public static native int resume0(long group);

  public static native void commAbort0(long group);

  public static native void groupDestroy0(long group);

  /** x, xScales, topkIdx, topkWeights, combined, errorWord. */
  public static native long[] buffers0(long group);

  /** The fields of {@code ep_dispatch_view}, in declaration order. */
  public static native long[] view0(long group);

  public static native void layout0(long group, int tokens);

  public static native int htDispatch0(long group, int tokens, int[] tokensPerRank);

  public static native int htDispatchCached0(long group);

  public static native void htExperts0(long group, int kind);

  public static native int htCombine0(long group);

  public static native int llDispatch0(long group, int tokens);

  public static native void llExperts0(long group, int kind);

  public static native int llCombine0(long group);

  public static native void setPeers0(long group, long[] bases, long timeoutNanos);

  public static native void streamDelay0(long stream, long nanos);

  /** The 64-byte CUDA IPC handle of the allocation starting at {@code base}. */
  public static native byte[] ipcHandle0(long base);

  /** Maps another process's allocation; returns its base address in this process. */
  public static native long ipcOpen0(byte[] handle);

  public static native void ipcClose0(long base);

  public static native void setSwiglu0(long group, int intermediate, long w1, long w3, long w2);

  /** Queues a host function on {@code stream} that calls {@link #onHostCallback(long)} with {@code token}. */
  public static native void addHostCallback0(long stream, long token);

  public static native String lastError0();

  /** Tells CUDA's driver threads to stay out of the exiting JVM (see {@link NativeLoader}). */
  static native void vmExiting0();

  /** Registers what runs when the host function for {@code token} fires; it runs on a CUDA driver thread. */
  public static void registerCallback(long token, Runnable action) {
    CALLBACKS.put(token, action);
  }

  public static void unregisterCallback(long token) {
    CALLBACKS.remove(token);
  }

  /** Called from native code on the CUDA driver thread; must stay short and never call CUDA. */
  static void onHostCallback(long token) {
    Runnable r = CALLBACKS.remove(token);
    if (r != null) {
      r.run();
    }
  }
}
