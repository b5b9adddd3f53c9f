// LL experts over the valid slots of the expert-major layout; outputs rounded to the combine dtype
// (the engine keeps LL expert outputs in that dtype before the weighted combine).
#include "dispatch_types.cuh"

namespace ep {
namespace kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / kWarp;

template <typename In, typename Out>
__global__ void __launch_bounds__(kThreads) ll_experts_kernel(LlExpertArgs a) {
  const int lane = threadIdx.x % kWarp;
  const int groups = a.hidden / 8;
  const int64_t slots = static_cast<int64_t>(a.world) * a.capacity;
  const int64_t total = a.local_experts * slots;
  const int64_t in_row_bytes = static_cast<int64_t>(a.hidden) * elt_bytes(In{});
  const int64_t out_row_bytes = static_cast<int64_t>(a.hidden) * elt_bytes(Out{});
  const int scale_floats = a.hidden / kScaleBlock;
  const int64_t warps = static_cast<int64_t>(gridDim.x) * kWarps;
  for (int64_t r = blockIdx.x * kWarps + threadIdx.x / kWarp; r < total; r += warps) {
    const int l = static_cast<int>(r / slots);
    const int s = static_cast<int>((r % slots) / a.capacity);
    const int i = static_cast<int>(r % a.capacity);
    if (i >= a.recv_counts[s * a.local_experts + l]) continue;
    const float f = a.scale_experts ? scale_factor(a.first_expert + l, a.experts) : 1.0f;
    const char* xrow = static_cast<const char*>(a.x) + r * in_row_bytes;
    const float* srow = a.scales == nullptr ? nullptr : a.scales + r * scale_floats;
    char* yrow = static_cast<char*>(a.y) + r * out_row_bytes;
    for (int g = lane; g < groups; g += kWarp) {
      float v[8];
      if (a.expert_y != nullptr) {
        load8(F32T{}, a.expert_y + r * a.hidden, nullptr, g, v);
      } else {
        load8(In{}, xrow, srow, g, v);
        if (a.scale_experts) {
#pragma unroll
          for (int k = 0; k < 8; ++k) v[k] = __fmul_rn(v[k], f);
        }
      }
      store8(Out{}, yrow, g, v);
    }
  }
}

}  // namespace

cudaError_t launch_ll_experts(const LlExpertArgs& a, cudaStream_t stream) {
  const int64_t total = static_cast<int64_t>(a.local_experts) * a.world * a.capacity;
  return with_in_out(a.in, a.out, [&](auto in, auto out) {
    ll_experts_kernel<decltype(in), decltype(out)><<<blocks_for(total, kWarps, a.max_blocks), kThreads, 0, stream>>>(a);
    return cudaGetLastError();
  });
}

}  // namespace kernels
}  // namespace ep
