// LL combine at home: out[t] = sum over k ascending of w[t,k] * y(expert k, slot of (t,k)), with
// fused multiply-adds in fp32, rounded once. Own experts' rows are read in place.
#include "dispatch_types.cuh"

namespace ep {
namespace kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / kWarp;

template <typename T>
__global__ void __launch_bounds__(kThreads) ll_combine_kernel(LlCombineArgs a) {
  const int lane = threadIdx.x % kWarp;
  const int groups = a.hidden / 8;
  const int64_t row_bytes = static_cast<int64_t>(a.hidden) * elt_bytes(T{});
  const int64_t slots = static_cast<int64_t>(a.world) * a.capacity;
  const int64_t warps = static_cast<int64_t>(gridDim.x) * kWarps;
  for (int64_t t = blockIdx.x * kWarps + threadIdx.x / kWarp; t < a.tokens; t += warps) {
    char* orow = static_cast<char*>(a.out) + t * row_bytes;
    for (int g = lane; g < groups; g += kWarp) {
      float acc[8];
#pragma unroll
      for (int i = 0; i < 8; ++i) acc[i] = 0.0f;
      for (int k = 0; k < a.topk; ++k) {
        const int64_t e = a.topk_idx[t * a.topk + k];
        const int slot = a.pair_slot[t * a.topk + k];
        if (e < 0 || slot < 0) continue;
        const int d = static_cast<int>(e / a.local_experts);
        const int l = static_cast<int>(e % a.local_experts);
        const char* row = (a.self_direct && d == a.me)
                              ? static_cast<const char*>(a.y) + (l * slots + static_cast<int64_t>(a.me) * a.capacity + slot) * row_bytes
                              : static_cast<const char*>(a.stage) + ((static_cast<int64_t>(d) * a.local_experts + l) * a.capacity + slot) * row_bytes;
        const float w = a.topk_w[t * a.topk + k];
        float v[8];
        load8(T{}, row, nullptr, g, v);
#pragma unroll
        for (int i = 0; i < 8; ++i) acc[i] = fmaf(w, v[i], acc[i]);
      }
      store8(T{}, orow, g, acc);
    }
  }
}

}  // namespace

cudaError_t launch_ll_combine(const LlCombineArgs& a, cudaStream_t stream) {
  return with_combine(a.elt, [&](auto tag) {
    ll_combine_kernel<decltype(tag)><<<blocks_for(a.tokens, kWarps, a.max_blocks), kThreads, 0, stream>>>(a);
    return cudaGetLastError();
  });
}

}  // namespace kernels
}  // namespace ep
