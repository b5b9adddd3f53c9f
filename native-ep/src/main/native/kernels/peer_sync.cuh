// Device-side synchronisation between ranks that share memory (peer windows): system-scope
// release/acquire flags, a per-phase epoch, and waits bounded by a time budget. A wait that runs
// out sets EP_DEVERR_TIMEOUT in the error word and returns; it never traps and never hangs, and
// every later wait of the same step sees the bit and returns at once.
#ifndef EP_KERNELS_PEER_SYNC_CUH
#define EP_KERNELS_PEER_SYNC_CUH

#include <stdint.h>

#include "common.cuh"
#include "launchers.h"

namespace ep {
namespace kernels {

constexpr uint32_t kTimeoutBit = 8u;  // EP_DEVERR_TIMEOUT

__device__ __forceinline__ void store_release_sys(uint64_t* p, uint64_t v) {
  asm volatile("st.release.sys.global.u64 [%0], %1;" ::"l"(p), "l"(v) : "memory");
}

__device__ __forceinline__ uint64_t load_acquire_sys(const uint64_t* p) {
  uint64_t v;
  asm volatile("ld.acquire.sys.global.u64 %0, [%1];" : "=l"(v) : "l"(p) : "memory");
  return v;
}

__device__ __forceinline__ uint32_t load_volatile(const uint32_t* p) {
  return *reinterpret_cast<const volatile uint32_t*>(p);
}

// Nanoseconds of the GPU's global timer: wall time, so a budget holds across time slices when
// ranks of several processes share one GPU.
__device__ __forceinline__ uint64_t global_ns() {
  uint64_t t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

// Where rank r's copy of a workspace part lives in this process.
template <typename T>
__device__ __forceinline__ T* peer_at(const PeerCtx& p, int r, int64_t offset) {
  return reinterpret_cast<T*>(p.bases[r] + static_cast<uint64_t>(offset));
}

// One block: makes this rank's earlier writes visible system-wide, raises its flag for phase
// `b` in every rank's window to the next epoch, and waits until every rank's flag in its own
// window reached that epoch. Returns false when a wait ran out of time (or an earlier one had).
__device__ __forceinline__ bool block_barrier(const PeerCtx& p, const BarrierSlot& b) {
  __shared__ uint64_t epoch;
  __shared__ int skip;
  __threadfence_system();
  __syncthreads();
  if (threadIdx.x == 0) {
    epoch = *b.epoch + 1;
    *b.epoch = epoch;
    skip = (load_volatile(p.error_word) & kTimeoutBit) != 0;
  }
  __syncthreads();
  if (skip) return false;
  const uint64_t e = epoch;
  for (int r = threadIdx.x; r < p.world; r += blockDim.x) {
    store_release_sys(peer_at<uint64_t>(p, r, b.flags_offset) + p.me, e);
  }
  bool ok = true;
  for (int r = threadIdx.x; r < p.world; r += blockDim.x) {
    const uint64_t* flag = b.own_flags + r;
    const uint64_t start = global_ns();
    uint32_t spins = 0;
    while (load_acquire_sys(flag) < e) {
      if ((++spins & 63u) == 0 &&
          (global_ns() - start > p.timeout_ns || (load_volatile(p.error_word) & kTimeoutBit) != 0)) {
        atomicOr(p.error_word, kTimeoutBit);
        ok = false;
        break;
      }
      __nanosleep(100);
    }
  }
  return __syncthreads_and(ok ? 1 : 0) != 0;
}

}  // namespace kernels
}  // namespace ep

#endif  // EP_KERNELS_PEER_SYNC_CUH
