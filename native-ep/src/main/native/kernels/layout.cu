// Dispatch layout: for every token and destination rank, whether the token goes there and, if so,
// its index among the tokens sent there (ascending token order, so receivers see sender order).
// Blocks cover (token chunk, destination): a block-wide scan gives positions inside a chunk, and
// a second launch adds the earlier chunks' totals. No atomics on positions, so every run agrees.
#include <cub/block/block_scan.cuh>

#include "common.cuh"
#include "launchers.h"

namespace ep {
namespace kernels {
namespace {

constexpr int kThreads = kLayoutChunk;

__global__ void __launch_bounds__(kThreads) layout_chunk_kernel(LayoutArgs a) {
  using Scan = cub::BlockScan<int, kThreads>;
  __shared__ typename Scan::TempStorage scan_storage;
  extern __shared__ int expert_count[];  // [L] of destination d, this chunk

  const int c = blockIdx.x;
  const int d = blockIdx.y;
  const int chunks = gridDim.x;
  const int local = a.experts / a.world;
  const int lo = d * local;
  for (int l = threadIdx.x; l < local; l += blockDim.x) expert_count[l] = 0;
  __syncthreads();

  const int t = c * kThreads + threadIdx.x;
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
      if (e >= lo && e < lo + local) {
        hit = 1;
        atomicAdd(&expert_count[e - lo], 1);
      }
    }
  }
  int excl = 0;
  int total = 0;
  Scan(scan_storage).ExclusiveSum(hit, excl, total);
  if (t < a.tokens) a.token_pos[static_cast<int64_t>(t) * a.world + d] = hit ? excl : -1;
  if (threadIdx.x == 0) a.chunk_total[static_cast<int64_t>(d) * chunks + c] = total;
  __syncthreads();
  for (int l = threadIdx.x; l < local; l += blockDim.x) {
    a.chunk_expert[static_cast<int64_t>(c) * a.experts + lo + l] = expert_count[l];
  }
}

__global__ void __launch_bounds__(kThreads) layout_finish_kernel(LayoutArgs a) {
  const int c = blockIdx.x;
  const int d = blockIdx.y;
  const int chunks = gridDim.x;
  const int local = a.experts / a.world;
  const int lo = d * local;
  const int* totals = a.chunk_total + static_cast<int64_t>(d) * chunks;
  int before = 0;
  for (int j = 0; j < c; ++j) before += totals[j];
  const int t = c * kThreads + threadIdx.x;
  if (t < a.tokens && before > 0) {
    int* pos = a.token_pos + static_cast<int64_t>(t) * a.world + d;
    if (*pos >= 0) *pos += before;
  }
  if (c != 0) return;
  int* msg = a.count_msg + static_cast<int64_t>(d) * (1 + local);
  if (threadIdx.x == 0) {
    int all = 0;
    for (int j = 0; j < chunks; ++j) all += totals[j];
    a.tokens_per_rank[d] = all;
    msg[0] = all;
    if (d == a.me && a.self_counts != nullptr) a.self_counts[0] = all;
  }
  for (int l = threadIdx.x; l < local; l += blockDim.x) {
    int n = 0;
    for (int j = 0; j < chunks; ++j) n += a.chunk_expert[static_cast<int64_t>(j) * a.experts + lo + l];
    a.tokens_per_expert[lo + l] = n;
    msg[1 + l] = n;
    if (d == a.me && a.self_counts != nullptr) a.self_counts[1 + l] = n;
  }
}

}  // namespace

cudaError_t launch_layout(const LayoutArgs& a, cudaStream_t stream) {
  const size_t smem = sizeof(int) * static_cast<size_t>(a.experts / a.world);
  if (smem > 32 * 1024) {
    // Above the default dynamic limit once cub's static storage is counted: opt in.
    cudaError_t err = cudaFuncSetAttribute(layout_chunk_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           static_cast<int>(smem));
    if (err != cudaSuccess) return err;
  }
  const int chunks = a.tokens > 0 ? (a.tokens + kThreads - 1) / kThreads : 1;
  const dim3 grid(chunks, a.world);
  layout_chunk_kernel<<<grid, kThreads, smem, stream>>>(a);
  cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) return err;
  layout_finish_kernel<<<grid, kThreads, 0, stream>>>(a);
  return cudaGetLastError();
}

}  // namespace kernels
}  // namespace ep
