// LL combine at home: out[t] = sum over k ascending of w[t,k] * y(expert k, slot of (t,k)), with
// fused multiply-adds in fp32, rounded once. Own experts' rows are read in place.
#include "dispatch_types.cuh"

namespace ep {
namespace kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / kWarp;

// One thread per (token, 8-channel group): T is small in LL (<= M), so a warp per token would
// leave most SMs idle; this spreads T * H/8 independent 16-byte streams over the whole GPU.
template <typename T>
__global__ void __launch_bounds__(kThreads) ll_combine_kernel(LlCombineArgs a) {
  const int groups = a.hidden / 8;
  const int64_t row_bytes = static_cast<int64_t>(a.hidden) * elt_bytes(T{});
  const int64_t slots = static_cast<int64_t>(a.world) * a.capacity;
  const int64_t total = static_cast<int64_t>(a.tokens) * groups;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total; i += stride) {
    const int64_t t = i / groups;
    const int g = static_cast<int>(i % groups);
    float acc[8];
#pragma unroll
    for (int j = 0; j < 8; ++j) acc[j] = 0.0f;
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
      for (int j = 0; j < 8; ++j) acc[j] = fmaf(w, v[j], acc[j]);
    }
    store8(T{}, static_cast<char*>(a.out) + t * row_bytes, g, acc);
  }
}

}  // namespace

cudaError_t launch_ll_combine(const LlCombineArgs& a, cudaStream_t stream) {
  return with_combine(a.elt, [&](auto tag) {
    const int64_t threads = static_cast<int64_t>(a.tokens) * (a.hidden / 8);
    ll_combine_kernel<decltype(tag)><<<blocks_for(threads / kWarp + 1, kWarps, a.max_blocks), kThreads, 0, stream>>>(a);
    return cudaGetLastError();
  });
}

}  // namespace kernels
}  // namespace ep
