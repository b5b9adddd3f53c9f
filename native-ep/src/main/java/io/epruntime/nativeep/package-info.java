/**
 * Java bindings of native-ep, the CUDA/NCCL expert-parallel core: {@link io.epruntime.nativeep.NativeEpLibrary}
 * (availability, NCCL loading, unique ids) and {@link io.epruntime.nativeep.EpGroup} (one rank's
 * dispatch/combine over caller-owned device memory).
 *
 * <pre>
 *   x, topk (device) ─▶ layout ─▶ HT dispatch ─▶ experts ─▶ HT combine ─▶ combined (device)
 *                              └▶ LL dispatch ─▶ experts ─▶ LL combine ─┘
 *   every arrow is queued on the group's stream; onStreamDone(...) reports the end
 * </pre>
 *
 * On a machine without the library (no nvcc at build time) {@code isAvailable()} is false and
 * {@code unavailabilityCause()} says why; nothing here needs a GPU until a group is created.
 */
package io.epruntime.nativeep;
