// Maps the launchers' run-time element types onto the kernels' compile-time tags.
#ifndef EP_KERNELS_DISPATCH_TYPES_CUH
#define EP_KERNELS_DISPATCH_TYPES_CUH

#include "common.cuh"
#include "launchers.h"

namespace ep {
namespace kernels {

// Calls f(InTag{}, OutTag{}) for the (dispatch, combine) dtype pairs the runtime supports:
// bf16 -> bf16, fp32 -> fp32, fp8 -> bf16.
template <typename F>
cudaError_t with_in_out(Elt in, Elt out, F&& f) {
  if (in == Elt::kBf16 && out == Elt::kBf16) return f(Bf16T{}, Bf16T{});
  if (in == Elt::kF32 && out == Elt::kF32) return f(F32T{}, F32T{});
  if (in == Elt::kFp8 && out == Elt::kBf16) return f(Fp8T{}, Bf16T{});
  return cudaErrorInvalidValue;
}

template <typename F>
cudaError_t with_combine(Elt elt, F&& f) {
  if (elt == Elt::kBf16) return f(Bf16T{});
  if (elt == Elt::kF32) return f(F32T{});
  return cudaErrorInvalidValue;
}

inline int blocks_for(int64_t warps_needed, int warps_per_block, int max_blocks) {
  int64_t blocks = (warps_needed + warps_per_block - 1) / warps_per_block;
  if (blocks < 1) blocks = 1;
  if (max_blocks > 0 && blocks > max_blocks) blocks = max_blocks;
  return static_cast<int>(blocks);
}

// Expert e's factor for the scale kernel, with the engine's exact roundings: 1 + e / E.
__device__ __forceinline__ float scale_factor(int e, int experts) {
  return __fadd_rn(1.0f, __fdiv_rn(static_cast<float>(e), static_cast<float>(experts)));
}

__device__ __forceinline__ int elt_bytes(Bf16T) { return 2; }
__device__ __forceinline__ int elt_bytes(F32T) { return 4; }
__device__ __forceinline__ int elt_bytes(Fp8T) { return 1; }

}  // namespace kernels
}  // namespace ep

#endif  // EP_KERNELS_DISPATCH_TYPES_CUH
