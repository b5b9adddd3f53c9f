/**
 * The {@code nccl} backend: native-ep (CUDA kernels, NCCL send/recv) on the rank's GPU.
 *
 * <pre>
 *  runStep ──▶ GPU thread: H2D ─ layout ─ dispatch ─ experts ─ combine ─ D2H ─ hostFn
 *                                                                     │ (driver thread)
 *  CompletableFuture&lt;StepOutcome&gt; ◀── GPU thread: events, copy-out ◀──┘
 *  joinWorld: ncclCommInitRankConfig(blocking = 0) ─ timer checks ncclCommGetAsyncError until ready
 *  health:    timer checks it every ep.gpu.health-interval; FAILED ─▶ abortWorld (ncclCommAbort)
 * </pre>
 *
 * {@link io.epruntime.rank.backend.nccl.NcclBackend#availability()} says whether it can run here
 * (GPU probe, native library, NCCL version), so {@code auto} falls back to cpu with the reason.
 */
package io.epruntime.rank.backend.nccl;
