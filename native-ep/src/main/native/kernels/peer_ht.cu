// HT dispatch and combine through peer windows. A warp takes a token: it finds the token's
// destination ranks in ascending order (a ballot over its layout row), reads the row once and
// writes it straight to its final position in every destination's receive buffer; combine pulls
// the reduced rows back from the same positions and sums them in ascending rank.
#include "dispatch_types.cuh"
#include "peer_sync.cuh"

namespace ep {
namespace kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / kWarp;
constexpr int kMaxDest = 16;  // a token reaches at most K <= 16 ranks
constexpr int kUnroll = 4;

// Fills rank[] and row[] (this warp's shared slots) with the token's destinations in ascending
// rank order and the row each one holds it at; returns how many.
__device__ __forceinline__ int destinations(const PeerCtx& p, const int* pos_row, const int* send_offset, int lane,
                                            int* rank, int64_t* row) {
  int n = 0;
  for (int base = 0; base < p.world; base += kWarp) {
    const int d = base + lane;
    const int pos = d < p.world ? pos_row[d] : -1;
    const unsigned hits = __ballot_sync(0xffffffffu, pos >= 0);
    if (pos >= 0) {
      const int i = n + __popc(hits & ((1u << lane) - 1u));
      if (i < kMaxDest) {
        rank[i] = d;
        row[i] = static_cast<int64_t>(send_offset[d]) + pos;
      }
    }
    n += __popc(hits);
  }
  __syncwarp();
  return n < kMaxDest ? n : kMaxDest;
}

// Reads a row once (16-byte loads, several in flight) and writes it to each of `count` places.
__device__ __forceinline__ void fan_out(const void* src, char* const* dst, int count, int bytes, int lane) {
  const uint4* s = reinterpret_cast<const uint4*>(src);
  const int n = bytes >> 4;
  for (int i = lane; i < n; i += kWarp * kUnroll) {
    uint4 v[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      if (i + u * kWarp < n) v[u] = __ldcs(s + i + u * kWarp);
    }
    for (int j = 0; j < count; ++j) {
      uint4* d = reinterpret_cast<uint4*>(dst[j]);
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        if (i + u * kWarp < n) __stcs(d + i + u * kWarp, v[u]);
      }
    }
  }
}

__global__ void __launch_bounds__(kThreads) ht_send_kernel(HtSendArgs a) {
  __shared__ int s_rank[kWarps][kMaxDest];
  __shared__ int64_t s_row[kWarps][kMaxDest];
  __shared__ char* s_dst[kWarps][kMaxDest];
  const PeerCtx& p = a.p;
  const int w = threadIdx.x / kWarp;
  const int lane = threadIdx.x % kWarp;
  const int local = a.local_experts;
  for (int t = blockIdx.x * kWarps + w; t < a.tokens; t += gridDim.x * kWarps) {
    const int nd = destinations(p, a.token_pos + static_cast<int64_t>(t) * p.world, a.send_offset, lane, s_rank[w], s_row[w]);
    if (lane < nd) s_dst[w][lane] = peer_at<char>(p, s_rank[w][lane], a.rows.x) + s_row[w][lane] * a.row_bytes;
    __syncwarp();
    fan_out(static_cast<const char*>(a.x) + static_cast<int64_t>(t) * a.row_bytes, s_dst[w], nd, a.row_bytes, lane);
    const int64_t* idx = a.topk_idx + static_cast<int64_t>(t) * a.topk;
    const float* wt = a.topk_w + static_cast<int64_t>(t) * a.topk;
    for (int j = 0; j < nd; ++j) {
      const int d = s_rank[w][j];
      const int64_t row = s_row[w][j];
      if (a.scale_floats > 0) {
        float* sd = peer_at<float>(p, d, a.rows.scales) + row * a.scale_floats;
        const float* ss = a.scales + static_cast<int64_t>(t) * a.scale_floats;
        for (int i = lane; i < a.scale_floats; i += kWarp) sd[i] = ss[i];
      }
      int* id = peer_at<int>(p, d, a.rows.idx) + row * a.topk;
      float* wd = peer_at<float>(p, d, a.rows.w) + row * a.topk;
      const int lo = d * local;
      for (int k = lane; k < a.topk; k += kWarp) {
        const int64_t e = idx[k];
        const bool mine = e >= lo && e < lo + local;
        id[k] = mine ? static_cast<int>(e - lo) : -1;
        wd[k] = mine ? wt[k] : 0.0f;
      }
      if (lane == 0) {
        int* src = peer_at<int>(p, d, a.rows.src) + 2 * row;
        src[0] = p.me;
        src[1] = t;
      }
    }
    __syncwarp();
  }
  __threadfence_system();
}

template <typename T>
__global__ void __launch_bounds__(kThreads) ht_pull_kernel(HtPullArgs a) {
  __shared__ int s_rank[kWarps][kMaxDest];
  __shared__ int64_t s_row[kWarps][kMaxDest];
  __shared__ const char* s_src[kWarps][kMaxDest];
  const PeerCtx& p = a.p;
  const int w = threadIdx.x / kWarp;
  const int lane = threadIdx.x % kWarp;
  const int groups = a.hidden / 8;
  const int64_t row_bytes = static_cast<int64_t>(a.hidden) * elt_bytes(T{});
  for (int64_t t = blockIdx.x * kWarps + w; t < a.tokens; t += static_cast<int64_t>(gridDim.x) * kWarps) {
    const int nd = destinations(p, a.token_pos + t * p.world, a.send_offset, lane, s_rank[w], s_row[w]);
    if (lane < nd) s_src[w][lane] = peer_at<const char>(p, s_rank[w][lane], a.reduced_offset) + s_row[w][lane] * row_bytes;
    __syncwarp();
    char* orow = static_cast<char*>(a.out) + t * row_bytes;
    for (int g = lane; g < groups; g += kWarp) {
      float acc[8];
#pragma unroll
      for (int i = 0; i < 8; ++i) acc[i] = 0.0f;
      for (int j = 0; j < nd; ++j) {
        float v[8];
        load8(T{}, s_src[w][j], nullptr, g, v);
#pragma unroll
        for (int i = 0; i < 8; ++i) acc[i] = __fadd_rn(acc[i], v[i]);
      }
      store8(T{}, orow, g, acc);
    }
    __syncwarp();
  }
}

}  // namespace

cudaError_t launch_ht_send(const HtSendArgs& a, cudaStream_t stream) {
  ht_send_kernel<<<blocks_for(a.tokens, kWarps, a.max_blocks), kThreads, 0, stream>>>(a);
  return cudaGetLastError();
}

cudaError_t launch_ht_pull(const HtPullArgs& a, cudaStream_t stream) {
  return with_combine(a.elt, [&](auto tag) {
    ht_pull_kernel<decltype(tag)><<<blocks_for(a.tokens, kWarps, a.max_blocks), kThreads, 0, stream>>>(a);
    return cudaGetLastError();
  });
}

}  // namespace kernels
}  // namespace ep
