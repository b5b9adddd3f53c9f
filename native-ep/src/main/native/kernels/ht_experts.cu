// HT local experts and reduce: per received row, acc = fma(w_k, expert_k(x), acc) over the row's
// local slots in ascending k, rounded once to the combine dtype (the engine's order, bit for bit).
#include "dispatch_types.cuh"

namespace ep {
namespace kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / kWarp;

template <typename In, typename Out>
__global__ void __launch_bounds__(kThreads) ht_experts_kernel(HtExpertArgs a) {
  const int lane = threadIdx.x % kWarp;
  int64_t rows = 0;
  for (int s = 0; s < a.world; ++s) rows += a.recv_counts[s * (1 + a.local_experts)];
  const int groups = a.hidden / 8;
  const int64_t in_row_bytes = static_cast<int64_t>(a.hidden) * elt_bytes(In{});
  const int64_t out_row_bytes = static_cast<int64_t>(a.hidden) * elt_bytes(Out{});
  const int scale_floats = a.hidden / kScaleBlock;
  const int64_t warps = static_cast<int64_t>(gridDim.x) * kWarps;
  for (int64_t r = blockIdx.x * kWarps + threadIdx.x / kWarp; r < rows; r += warps) {
    const char* xrow = static_cast<const char*>(a.x) + r * in_row_bytes;
    const float* srow = a.scales == nullptr ? nullptr : a.scales + r * scale_floats;
    char* orow = static_cast<char*>(a.reduced) + r * out_row_bytes;
    for (int g = lane; g < groups; g += kWarp) {
      float v[8];
      float acc[8];
#pragma unroll
      for (int i = 0; i < 8; ++i) acc[i] = 0.0f;
      if (a.expert_y == nullptr) load8(In{}, xrow, srow, g, v);
      for (int k = 0; k < a.topk; ++k) {
        const int l = a.idx[r * a.topk + k];
        if (l < 0) continue;
        const float w = a.w[r * a.topk + k];
        float y[8];
        if (a.expert_y != nullptr) {
          load8(F32T{}, a.expert_y + (static_cast<int64_t>(l) * a.row_capacity + r) * a.hidden, nullptr, g, y);
        } else {
          const float f = a.scale_experts ? scale_factor(a.first_expert + l, a.experts) : 1.0f;
#pragma unroll
          for (int i = 0; i < 8; ++i) y[i] = a.scale_experts ? __fmul_rn(v[i], f) : v[i];
        }
#pragma unroll
        for (int i = 0; i < 8; ++i) acc[i] = fmaf(w, y[i], acc[i]);
      }
      store8(Out{}, orow, g, acc);
    }
  }
}

}  // namespace

cudaError_t launch_ht_experts(const HtExpertArgs& a, cudaStream_t stream) {
  return with_in_out(a.in, a.out, [&](auto in, auto out) {
    ht_experts_kernel<decltype(in), decltype(out)>
        <<<blocks_for(a.row_capacity, kWarps, a.max_blocks), kThreads, 0, stream>>>(a);
    return cudaGetLastError();
  });
}

}  // namespace kernels
}  // namespace ep
