// Device helpers shared by the kernels: 8-channel loads/stores per dtype with CUDA's rounding,
// warp-wide row copies with 16-byte accesses, and the device error word.
#ifndef EP_KERNELS_COMMON_CUH
#define EP_KERNELS_COMMON_CUH

#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>
#include <stdint.h>

namespace ep {
namespace kernels {

constexpr int kWarp = 32;
constexpr int kScaleBlock = 128;

// Element types as tags; dispatch in the launchers keeps kernels non-templated at the API.
struct Bf16T {};
struct F32T {};
struct Fp8T {};

// Loads channels [8g, 8g+8) of a row as floats; fp8 applies its per-128-channel scale.
__device__ __forceinline__ void load8(Bf16T, const void* row, const float*, int g, float (&v)[8]) {
  uint4 raw = reinterpret_cast<const uint4*>(row)[g];
  const __nv_bfloat162* h = reinterpret_cast<const __nv_bfloat162*>(&raw);
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    float2 f = __bfloat1622float2(h[i]);
    v[2 * i] = f.x;
    v[2 * i + 1] = f.y;
  }
}

__device__ __forceinline__ void load8(F32T, const void* row, const float*, int g, float (&v)[8]) {
  const float4* p = reinterpret_cast<const float4*>(row) + 2 * g;
  float4 a = p[0];
  float4 b = p[1];
  v[0] = a.x; v[1] = a.y; v[2] = a.z; v[3] = a.w;
  v[4] = b.x; v[5] = b.y; v[6] = b.z; v[7] = b.w;
}

__device__ __forceinline__ void load8(Fp8T, const void* row, const float* scales, int g, float (&v)[8]) {
  uint2 raw = reinterpret_cast<const uint2*>(row)[g];
  const __nv_fp8_storage_t* b = reinterpret_cast<const __nv_fp8_storage_t*>(&raw);
  float s = scales[(g * 8) / kScaleBlock];
#pragma unroll
  for (int i = 0; i < 8; ++i) {
    __half_raw hr = __nv_cvt_fp8_to_halfraw(b[i], __NV_E4M3);
    v[i] = __half2float(__half(hr)) * s;
  }
}

// Stores 8 floats rounded to nearest even (__float2bfloat16_rn) or as fp32.
__device__ __forceinline__ void store8(Bf16T, void* row, int g, const float (&v)[8]) {
  uint4 raw;
  __nv_bfloat16* h = reinterpret_cast<__nv_bfloat16*>(&raw);
#pragma unroll
  for (int i = 0; i < 8; ++i) h[i] = __float2bfloat16_rn(v[i]);
  reinterpret_cast<uint4*>(row)[g] = raw;
}

__device__ __forceinline__ void store8(F32T, void* row, int g, const float (&v)[8]) {
  float4* p = reinterpret_cast<float4*>(row) + 2 * g;
  p[0] = make_float4(v[0], v[1], v[2], v[3]);
  p[1] = make_float4(v[4], v[5], v[6], v[7]);
}

// Rounds a float the way a store in the element type would, keeping it a float.
__device__ __forceinline__ float round_to(Bf16T, float x) { return __bfloat162float(__float2bfloat16_rn(x)); }
__device__ __forceinline__ float round_to(F32T, float x) { return x; }

// Copies `bytes` from src to dst with the whole warp; 16-byte accesses when both are aligned.
__device__ __forceinline__ void warp_copy(void* dst, const void* src, int bytes, int lane) {
  if (((reinterpret_cast<uintptr_t>(dst) | reinterpret_cast<uintptr_t>(src) | static_cast<uintptr_t>(bytes)) & 15) == 0) {
    const uint4* s = reinterpret_cast<const uint4*>(src);
    uint4* d = reinterpret_cast<uint4*>(dst);
    const int n = bytes >> 4;
    int i = lane;
    // Four independent 16-byte loads in flight per lane before the first store.
    for (; i + 3 * kWarp < n; i += 4 * kWarp) {
      uint4 a = __ldcs(s + i);
      uint4 b = __ldcs(s + i + kWarp);
      uint4 c = __ldcs(s + i + 2 * kWarp);
      uint4 e = __ldcs(s + i + 3 * kWarp);
      __stcs(d + i, a);
      __stcs(d + i + kWarp, b);
      __stcs(d + i + 2 * kWarp, c);
      __stcs(d + i + 3 * kWarp, e);
    }
    for (; i < n; i += kWarp) __stcs(d + i, __ldcs(s + i));
  } else {
    const uint8_t* s = reinterpret_cast<const uint8_t*>(src);
    uint8_t* d = reinterpret_cast<uint8_t*>(dst);
    for (int i = lane; i < bytes; i += kWarp) d[i] = s[i];
  }
}

__device__ __forceinline__ void report(uint32_t* error_word, uint32_t bits) {
  if (error_word != nullptr) atomicOr(error_word, bits);
}

}  // namespace kernels
}  // namespace ep

#endif  // EP_KERNELS_COMMON_CUH
