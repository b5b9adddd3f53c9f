// Dispatch layout: for every token and destination rank, whether the token goes there and, if so,
// its index among the tokens sent there (ascending token order, so receivers see sender order).
#include <cub/block/block_scan.cuh>

#include "common.cuh"
#include "launchers.h"

namespace ep {
namespace kernels {
namespace {

constexpr int kLayoutThreads = 512;

// One block per destination rank: a block-wide scan over the tokens gives positions without atomics,
// so the result is the same on every run.
__global__ void __launch_bounds__(kLayoutThreads) layout_kernel(LayoutArgs a) {
  using Scan = cub::BlockScan<int, kLayoutThreads>;
  __shared__ typename Scan::TempStorage scan_storage;
  extern __shared__ int expert_count[];  // [L]
  __shared__ int running;

  const int d = blockIdx.x;
  const int local = a.experts / a.world;
  const int lo = d * local;
  const int hi = lo + local;
  for (int l = threadIdx.x; l < local; l += blockDim.x) expert_count[l] = 0;
  if (threadIdx.x == 0) running = 0;
  __syncthreads();

  for (int base = 0; base < a.tokens; base += kLayoutThreads) {
    const int t = base + threadIdx.x;
    int hit = 0;
    if (t < a.tokens) {
      const int64_t* row = a.topk_idx + static_cast<int64_t>(t) * a.topk;
      for (int k = 0; k < a.topk; ++k) {
        const int64_t e = row[k];
        if (d == 0) {
          if (e < -1 || e >= a.experts) report(a.error_word, 1u);
          for (int j = 0; j < k && e >= 0; ++j) {
            if (row[j] == e) report(a.error_word, 2u);
          }
        }
        if (e >= lo && e < hi) {
          hit = 1;
          atomicAdd(&expert_count[e - lo], 1);
        }
      }
    }
    int excl = 0;
    int total = 0;
    Scan(scan_storage).ExclusiveSum(hit, excl, total);
    if (t < a.tokens) a.token_pos[static_cast<int64_t>(t) * a.world + d] = hit ? running + excl : -1;
    __syncthreads();
    if (threadIdx.x == 0) running += total;
    __syncthreads();
  }

  int* msg = a.count_msg + static_cast<int64_t>(d) * (1 + local);
  if (threadIdx.x == 0) {
    a.tokens_per_rank[d] = running;
    msg[0] = running;
    if (d == a.me && a.self_counts != nullptr) a.self_counts[0] = running;
  }
  for (int l = threadIdx.x; l < local; l += blockDim.x) {
    a.tokens_per_expert[lo + l] = expert_count[l];
    msg[1 + l] = expert_count[l];
    if (d == a.me && a.self_counts != nullptr) a.self_counts[1 + l] = expert_count[l];
  }
}

}  // namespace

cudaError_t launch_layout(const LayoutArgs& a, cudaStream_t stream) {
  const size_t smem = sizeof(int) * static_cast<size_t>(a.experts / a.world);
  layout_kernel<<<a.world, kLayoutThreads, smem, stream>>>(a);
  return cudaGetLastError();
}

}  // namespace kernels
}  // namespace ep
