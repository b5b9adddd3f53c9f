// HT combine: reduced rows go back to their source rank; at home each token sums the rows of every
// rank that received it in ascending rank order, accumulating in fp32, rounded once.
#include "dispatch_types.cuh"

namespace ep {
namespace kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / kWarp;

__device__ __forceinline__ int prefix_rows(const int* recv_counts, int local, int upto) {
  int p = 0;
  for (int s = 0; s < upto; ++s) p += recv_counts[s * (1 + local)];
  return p;
}

__global__ void __launch_bounds__(kThreads) ht_combine_pack_kernel(HtCombinePackArgs a) {
  const int lane = threadIdx.x % kWarp;
  const int64_t total = a.world * a.stage_rows;
  const int64_t warps = static_cast<int64_t>(gridDim.x) * kWarps;
  for (int64_t g = blockIdx.x * kWarps + threadIdx.x / kWarp; g < total; g += warps) {
    const int s = static_cast<int>(g / a.stage_rows);
    const int i = static_cast<int>(g % a.stage_rows);
    if ((a.self_direct && s == a.me) || i >= a.recv_counts[s * (1 + a.local_experts)]) continue;
    const int64_t src = static_cast<int64_t>(prefix_rows(a.recv_counts, a.local_experts, s)) + i;
    warp_copy(static_cast<char*>(a.stage) + g * a.row_bytes, static_cast<const char*>(a.reduced) + src * a.row_bytes,
              a.row_bytes, lane);
  }
}

template <typename T>
__global__ void __launch_bounds__(kThreads) ht_combine_kernel(HtCombineArgs a) {
  const int lane = threadIdx.x % kWarp;
  const int groups = a.hidden / 8;
  const int64_t row_bytes = static_cast<int64_t>(a.hidden) * elt_bytes(T{});
  const int self_base = prefix_rows(a.recv_counts, a.local_experts, a.me);
  const int64_t warps = static_cast<int64_t>(gridDim.x) * kWarps;
  for (int64_t t = blockIdx.x * kWarps + threadIdx.x / kWarp; t < a.tokens; t += warps) {
    const int* pos = a.token_pos + t * a.world;
    char* orow = static_cast<char*>(a.out) + t * row_bytes;
    for (int g = lane; g < groups; g += kWarp) {
      float acc[8];
#pragma unroll
      for (int i = 0; i < 8; ++i) acc[i] = 0.0f;
      for (int d = 0; d < a.world; ++d) {
        const int p = pos[d];
        if (p < 0) continue;
        const char* row = (a.self_direct && d == a.me)
                              ? static_cast<const char*>(a.reduced) + (self_base + static_cast<int64_t>(p)) * row_bytes
                              : static_cast<const char*>(a.stage) + (d * a.stage_rows + p) * row_bytes;
        float v[8];
        load8(T{}, row, nullptr, g, v);
#pragma unroll
        for (int i = 0; i < 8; ++i) acc[i] = __fadd_rn(acc[i], v[i]);
      }
      store8(T{}, orow, g, acc);
    }
  }
}

}  // namespace

cudaError_t launch_ht_combine_pack(const HtCombinePackArgs& a, cudaStream_t stream) {
  ht_combine_pack_kernel<<<blocks_for(a.world * a.stage_rows, kWarps, a.max_blocks), kThreads, 0, stream>>>(a);
  return cudaGetLastError();
}

cudaError_t launch_ht_combine(const HtCombineArgs& a, cudaStream_t stream) {
  return with_combine(a.elt, [&](auto tag) {
    ht_combine_kernel<decltype(tag)><<<blocks_for(a.tokens, kWarps, a.max_blocks), kThreads, 0, stream>>>(a);
    return cudaGetLastError();
  });
}

}  // namespace kernels
}  // namespace ep
