// HT dispatch: pack each token once per destination rank (rows with local expert ids), and move
// rows that arrived from other ranks into the compact, source-ordered receive buffer.
#include "common.cuh"
#include "launchers.h"

namespace ep {
namespace kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kWarpsPerBlock = kThreads / kWarp;

__device__ __forceinline__ int prefix_rows(const int* recv_counts, int local, int upto) {
  int p = 0;
  for (int s = 0; s < upto; ++s) p += recv_counts[s * (1 + local)];
  return p;
}

// Writes one row's metadata: expert ids rewritten to the destination's local ids (-1 and weight 0
// for experts that live elsewhere) and where the row came from.
__device__ __forceinline__ void write_meta(const HtRows& dst, int64_t row, const int64_t* topk_idx,
                                           const float* topk_w, int topk, int lo, int local, int src_rank,
                                           int src_token, int lane) {
  for (int k = lane; k < topk; k += kWarp) {
    const int64_t e = topk_idx[k];
    const bool mine = e >= lo && e < lo + local;
    dst.idx[row * topk + k] = mine ? static_cast<int>(e - lo) : -1;
    dst.w[row * topk + k] = mine ? topk_w[k] : 0.0f;
  }
  if (lane == 0) {
    dst.src[2 * row] = src_rank;
    dst.src[2 * row + 1] = src_token;
  }
}

__global__ void __launch_bounds__(kThreads) ht_pack_kernel(HtPackArgs a) {
  const int lane = threadIdx.x % kWarp;
  const int local = a.local_experts;
  if (blockIdx.x == 0) {
    // The receive-side summary: every source's count is known on the device by now.
    for (int s = threadIdx.x; s < a.world; s += blockDim.x) a.recv_prefix[s] = prefix_rows(a.recv_counts, local, s);
    for (int l = threadIdx.x; l < local; l += blockDim.x) {
      int n = 0;
      for (int s = 0; s < a.world; ++s) n += a.recv_counts[s * (1 + local) + 1 + l];
      a.recv_expert_counts[l] = (n + a.alignment - 1) / a.alignment * a.alignment;
    }
  }
  const int self_base = prefix_rows(a.recv_counts, local, a.me);
  const int warps = gridDim.x * kWarpsPerBlock;
  for (int t = blockIdx.x * kWarpsPerBlock + threadIdx.x / kWarp; t < a.tokens; t += warps) {
    const int64_t* idx = a.topk_idx + static_cast<int64_t>(t) * a.topk;
    const float* w = a.topk_w + static_cast<int64_t>(t) * a.topk;
    const char* src = static_cast<const char*>(a.x) + static_cast<int64_t>(t) * a.row_bytes;
    for (int d = 0; d < a.world; ++d) {
      const int pos = a.token_pos[static_cast<int64_t>(t) * a.world + d];
      if (pos < 0) continue;
      const bool direct = a.self_direct && d == a.me;
      const HtRows& dst = direct ? a.recv : a.stage;
      const int64_t row = direct ? static_cast<int64_t>(self_base) + pos : d * a.stage_rows + pos;
      warp_copy(static_cast<char*>(dst.x) + row * a.row_bytes, src, a.row_bytes, lane);
      if (a.scale_floats > 0) {
        warp_copy(dst.scales + row * a.scale_floats, a.scales + static_cast<int64_t>(t) * a.scale_floats,
                  a.scale_floats * 4, lane);
      }
      write_meta(dst, row, idx, w, a.topk, d * local, local, a.me, t, lane);
    }
  }
}

__global__ void __launch_bounds__(kThreads) ht_unpack_kernel(HtUnpackArgs a) {
  const int lane = threadIdx.x % kWarp;
  const int local = a.local_experts;
  const int64_t total = a.world * a.stage_rows;
  const int64_t warps = static_cast<int64_t>(gridDim.x) * kWarpsPerBlock;
  for (int64_t g = blockIdx.x * kWarpsPerBlock + threadIdx.x / kWarp; g < total; g += warps) {
    const int s = static_cast<int>(g / a.stage_rows);
    const int i = static_cast<int>(g % a.stage_rows);
    if ((a.self_direct && s == a.me) || i >= a.recv_counts[s * (1 + local)]) continue;
    const int64_t dst = static_cast<int64_t>(prefix_rows(a.recv_counts, local, s)) + i;
    warp_copy(static_cast<char*>(a.recv.x) + dst * a.row_bytes,
              static_cast<const char*>(a.stage.x) + g * a.row_bytes, a.row_bytes, lane);
    if (a.scale_floats > 0) {
      warp_copy(a.recv.scales + dst * a.scale_floats, a.stage.scales + g * a.scale_floats, a.scale_floats * 4, lane);
    }
    for (int k = lane; k < a.topk; k += kWarp) {
      a.recv.idx[dst * a.topk + k] = a.stage.idx[g * a.topk + k];
      a.recv.w[dst * a.topk + k] = a.stage.w[g * a.topk + k];
    }
    if (lane == 0) {
      a.recv.src[2 * dst] = a.stage.src[2 * g];
      a.recv.src[2 * dst + 1] = a.stage.src[2 * g + 1];
    }
  }
}

int grid_for(int64_t warps_needed, int max_blocks) {
  int64_t blocks = (warps_needed + kWarpsPerBlock - 1) / kWarpsPerBlock;
  if (blocks < 1) blocks = 1;
  if (max_blocks > 0 && blocks > max_blocks) blocks = max_blocks;
  return static_cast<int>(blocks);
}

}  // namespace

cudaError_t launch_ht_pack(const HtPackArgs& a, cudaStream_t stream) {
  ht_pack_kernel<<<grid_for(a.tokens, a.max_blocks), kThreads, 0, stream>>>(a);
  return cudaGetLastError();
}

cudaError_t launch_ht_unpack(const HtUnpackArgs& a, cudaStream_t stream) {
  ht_unpack_kernel<<<grid_for(a.world * a.stage_rows, a.max_blocks), kThreads, 0, stream>>>(a);
  return cudaGetLastError();
}

}  // namespace kernels
}  // namespace ep
