// LL dispatch: one row per (token, expert) pair, no dedup, into the expert-major layout
// [L, N*M, H]. The pair's slot i is the number of earlier tokens that chose the same expert, so
// slots fill in ascending source-token order without atomics.
#include "dispatch_types.cuh"

namespace ep {
namespace kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / kWarp;

__global__ void __launch_bounds__(kThreads) ll_dispatch_kernel(LlDispatchArgs a) {
  extern __shared__ int experts_of[];  // [T*K] global expert ids of this rank's pairs
  const int lane = threadIdx.x % kWarp;
  const int pairs = a.tokens * a.topk;
  const int all_experts = a.world * a.local_experts;
  for (int p = threadIdx.x; p < pairs; p += blockDim.x) {
    const int64_t e = a.topk_idx[p];
    if (blockIdx.x == 0 && (e < -1 || e >= all_experts)) report(a.error_word, 1u);
    experts_of[p] = (e < 0 || e >= all_experts) ? -1 : static_cast<int>(e);
  }
  __syncthreads();

  // Counts per (destination, local expert): block b takes experts b, b + grid, ...
  for (int e = blockIdx.x; e < all_experts; e += gridDim.x) {
    int mine = 0;
    for (int p = threadIdx.x; p < pairs; p += blockDim.x) mine += experts_of[p] == e;
    for (int off = kWarp / 2; off > 0; off /= 2) mine += __shfl_down_sync(0xffffffffu, mine, off);
    __shared__ int warp_sum[kWarps];
    if (lane == 0) warp_sum[threadIdx.x / kWarp] = mine;
    __syncthreads();
    if (threadIdx.x == 0) {
      int n = 0;
      for (int w = 0; w < kWarps; ++w) n += warp_sum[w];
      const int d = e / a.local_experts;
      const int l = e % a.local_experts;
      a.count_msg[d * a.local_experts + l] = n;
      if (a.self_direct && d == a.me) a.recv_counts[a.me * a.local_experts + l] = n;
    }
    __syncthreads();
  }

  const int64_t slots = static_cast<int64_t>(a.world) * a.capacity;  // N*M rows per local expert
  const int warps = gridDim.x * kWarps;
  for (int p = blockIdx.x * kWarps + threadIdx.x / kWarp; p < pairs; p += warps) {
    const int e = experts_of[p];
    const int t = p / a.topk;
    if (e < 0) {
      if (lane == 0) a.pair_slot[p] = -1;
      continue;
    }
    int before = 0;
    for (int q = lane; q < t * a.topk; q += kWarp) before += experts_of[q] == e;
    for (int off = kWarp / 2; off > 0; off /= 2) before += __shfl_xor_sync(0xffffffffu, before, off);
    const int d = e / a.local_experts;
    const int l = e % a.local_experts;
    const bool direct = a.self_direct && d == a.me;
    const int64_t row = direct ? l * slots + static_cast<int64_t>(a.me) * a.capacity + before
                               : (static_cast<int64_t>(d) * a.local_experts + l) * a.capacity + before;
    char* dst = static_cast<char*>(direct ? a.recv_x : a.stage_x) + row * a.row_bytes;
    warp_copy(dst, static_cast<const char*>(a.x) + static_cast<int64_t>(t) * a.row_bytes, a.row_bytes, lane);
    if (a.scale_floats > 0) {
      float* sdst = (direct ? a.recv_scales : a.stage_scales) + row * a.scale_floats;
      warp_copy(sdst, a.scales + static_cast<int64_t>(t) * a.scale_floats, a.scale_floats * 4, lane);
    }
    if (lane == 0) {
      (direct ? a.recv_src : a.stage_src)[row] = t;
      a.pair_slot[p] = before;
    }
  }
}

}  // namespace

cudaError_t launch_ll_dispatch(const LlDispatchArgs& a, cudaStream_t stream) {
  const size_t smem = sizeof(int) * static_cast<size_t>(a.tokens) * a.topk;
  if (smem > 32 * 1024) {
    // T*K up to 12288 pairs (48 KiB) plus the kernel's static storage is past the default limit.
    cudaError_t err = cudaFuncSetAttribute(ll_dispatch_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           static_cast<int>(smem));
    if (err != cudaSuccess) return err;
  }
  const int blocks = blocks_for(static_cast<int64_t>(a.tokens) * a.topk, kWarps, a.max_blocks);
  ll_dispatch_kernel<<<blocks, kThreads, smem, stream>>>(a);
  return cudaGetLastError();
}

}  // namespace kernels
}  // namespace ep
