// swiglu helpers around the cuBLAS GEMMs: rows to fp32 (fp8 dequantised as code * scale), and the
// gate a = silu(h1) * h3 with silu(v) = v / (1 + exp(-v)) as the engine writes it.
#include "dispatch_types.cuh"

namespace ep {
namespace kernels {
namespace {

template <typename In>
__global__ void to_f32_kernel(const void* x, const float* scales, int64_t rows, int hidden, float* out) {
  const int groups = hidden / 8;
  const int64_t row_bytes = static_cast<int64_t>(hidden) * elt_bytes(In{});
  const int64_t total = rows * groups;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t r = i / groups;
    const int g = static_cast<int>(i % groups);
    float v[8];
    load8(In{}, static_cast<const char*>(x) + r * row_bytes,
          scales == nullptr ? nullptr : scales + r * (hidden / kScaleBlock), g, v);
    store8(F32T{}, out + r * hidden, g, v);
  }
}

__global__ void swiglu_act_kernel(const float* h1, const float* h3, int64_t n, float* a) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const float v = h1[i];
    const float silu = __fdiv_rn(v, __fadd_rn(1.0f, expf(-v)));
    a[i] = __fmul_rn(silu, h3[i]);
  }
}

int grid_1d(int64_t n) {
  int64_t b = (n + 255) / 256;
  if (b < 1) b = 1;
  if (b > 4096) b = 4096;
  return static_cast<int>(b);
}

}  // namespace

cudaError_t launch_to_f32(const void* x, const float* scales, Elt in, int64_t rows, int hidden, float* out,
                          cudaStream_t stream) {
  const int blocks = grid_1d(rows * (hidden / 8));
  if (in == Elt::kBf16) to_f32_kernel<Bf16T><<<blocks, 256, 0, stream>>>(x, nullptr, rows, hidden, out);
  else if (in == Elt::kF32) to_f32_kernel<F32T><<<blocks, 256, 0, stream>>>(x, nullptr, rows, hidden, out);
  else to_f32_kernel<Fp8T><<<blocks, 256, 0, stream>>>(x, scales, rows, hidden, out);
  return cudaGetLastError();
}

cudaError_t launch_swiglu_act(const float* h1, const float* h3, int64_t n, float* a, cudaStream_t stream) {
  swiglu_act_kernel<<<grid_1d(n), 256, 0, stream>>>(h1, h3, n, a);
  return cudaGetLastError();
}

}  // namespace kernels
}  // namespace ep
