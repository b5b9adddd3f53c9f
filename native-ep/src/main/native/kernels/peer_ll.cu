// LL dispatch and combine through peer windows. Routing gives every (token, expert) pair its slot
// from per-expert token bitmasks: slot = set bits below the token, so slots fill in ascending
// source-token order with no search over pairs and no atomics on counts. A warp then reads each
// token's chunk once and writes it to its slot in each of its K experts' windows; combine reads each
// pair's expert output in place and sums them in ascending k with fused multiply-adds.
#include "dispatch_types.cuh"
#include "peer_sync.cuh"

namespace ep {
namespace kernels {
namespace {

constexpr int kRouteThreads = 1024;
constexpr int kThreads = 256;
constexpr int kWarps = kThreads / kWarp;
constexpr int kMaxTopk = 16;
constexpr int kUnroll = 4;

__global__ void __launch_bounds__(kRouteThreads) ll_route_kernel(LlRouteArgs a) {
  const PeerCtx& p = a.p;
  const int used_words = (a.tokens + 31) / 32;
  const int pairs = a.tokens * a.topk;
  for (int i = threadIdx.x; i < a.experts * used_words; i += blockDim.x) {
    a.hits[static_cast<int64_t>(i / used_words) * a.words + i % used_words] = 0u;
  }
  __syncthreads();
  for (int q = threadIdx.x; q < pairs; q += blockDim.x) {
    const int t = q / a.topk;
    const int k = q % a.topk;
    const int64_t* row = a.topk_idx + static_cast<int64_t>(t) * a.topk;
    const int64_t e = row[k];
    if (e < -1 || e >= a.experts) {
      report(p.error_word, 1u);
      continue;
    }
    if (e < 0) continue;
    for (int j = 0; j < k; ++j) {
      if (row[j] == e) report(p.error_word, 2u);
    }
    atomicOr(&a.hits[e * a.words + t / 32], 1u << (t % 32));
  }
  __syncthreads();
  for (int q = threadIdx.x; q < pairs; q += blockDim.x) {
    const int t = q / a.topk;
    const int64_t e = a.topk_idx[q];
    int slot = -1;
    if (e >= 0 && e < a.experts) {
      const uint32_t* h = a.hits + e * a.words;
      slot = __popc(h[t / 32] & ((1u << (t % 32)) - 1u));
      for (int j = 0; j < t / 32; ++j) slot += __popc(h[j]);
    }
    a.pair_slot[q] = slot;
  }
  for (int e = threadIdx.x; e < a.experts; e += blockDim.x) {
    const uint32_t* h = a.hits + static_cast<int64_t>(e) * a.words;
    int n = 0;
    for (int j = 0; j < used_words; ++j) n += __popc(h[j]);
    const int d = e / a.local_experts;
    const int l = e % a.local_experts;
    peer_at<int>(p, d, a.counts_offset)[static_cast<int64_t>(p.me) * a.local_experts + l] = n;
  }
  __threadfence_system();
}

// Rows a warp copies in one turn, in 16-byte units.
constexpr int kTurn = kWarp * kUnroll;

// One warp per (token, chunk of its row): LL has few tokens, so a warp per whole token would keep
// most SMs idle (128 tokens are 16 blocks); chunks spread a step over the GPU.
__global__ void __launch_bounds__(kThreads) ll_send_kernel(LlSendArgs a) {
  __shared__ int s_rank[kWarps][kMaxTopk];
  __shared__ int64_t s_row[kWarps][kMaxTopk];
  const PeerCtx& p = a.p;
  const int w = threadIdx.x / kWarp;
  const int lane = threadIdx.x % kWarp;
  const int64_t slots = static_cast<int64_t>(p.world) * a.capacity;
  const int n = a.row_bytes >> 4;
  const int chunks = (n + kTurn - 1) / kTurn;
  const int64_t items = static_cast<int64_t>(a.tokens) * chunks;
  for (int64_t item = blockIdx.x * static_cast<int64_t>(kWarps) + w; item < items;
       item += static_cast<int64_t>(gridDim.x) * kWarps) {
    const int t = static_cast<int>(item / chunks);
    const int c = static_cast<int>(item % chunks);
    int d = -1;
    int64_t row = 0;
    if (lane < a.topk) {
      const int64_t e = a.topk_idx[static_cast<int64_t>(t) * a.topk + lane];
      const int slot = a.pair_slot[static_cast<int64_t>(t) * a.topk + lane];
      if (e >= 0 && slot >= 0) {
        d = static_cast<int>(e / a.local_experts);
        row = (e % a.local_experts) * slots + static_cast<int64_t>(p.me) * a.capacity + slot;
      }
    }
    const unsigned valid = __ballot_sync(0xffffffffu, d >= 0);
    const int nd = __popc(valid);
    if (d >= 0) {
      const int i = __popc(valid & ((1u << lane) - 1u));
      s_rank[w][i] = d;
      s_row[w][i] = row;
    }
    __syncwarp();
    // Lane j < nd keeps pair j's destination row in registers; the copy broadcasts it.
    const unsigned long long mine =
        lane < nd ? reinterpret_cast<unsigned long long>(peer_at<char>(p, s_rank[w][lane], a.x_offset) +
                                                         s_row[w][lane] * a.row_bytes)
                  : 0ull;
    const uint4* src = reinterpret_cast<const uint4*>(static_cast<const char*>(a.x) + static_cast<int64_t>(t) * a.row_bytes);
    const int i = c * kTurn + lane;
    uint4 v[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      if (i + u * kWarp < n) v[u] = __ldcs(src + i + u * kWarp);
    }
    for (int j = 0; j < nd; ++j) {
      uint4* dst = reinterpret_cast<uint4*>(__shfl_sync(0xffffffffu, mine, j));  // pair j's row
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        if (i + u * kWarp < n) __stcs(dst + i + u * kWarp, v[u]);
      }
    }
    if (c == 0) {
      for (int j = 0; j < nd; ++j) {
        if (a.scale_floats > 0) {
          float* sd = peer_at<float>(p, s_rank[w][j], a.scales_offset) + s_row[w][j] * a.scale_floats;
          const float* ss = a.scales + static_cast<int64_t>(t) * a.scale_floats;
          for (int k = lane; k < a.scale_floats; k += kWarp) sd[k] = ss[k];
        }
      }
      if (lane < nd) peer_at<int>(p, s_rank[w][lane], a.src_offset)[s_row[w][lane]] = t;
    }
    __syncwarp();
  }
  __threadfence_system();
}

// One thread per (token, 8-channel group): T is small in LL, so a warp per token would leave
// most of the GPU idle; this spreads T * H/8 independent streams over it.
template <typename T>
__global__ void __launch_bounds__(kThreads) ll_pull_kernel(LlPullArgs a) {
  const PeerCtx& p = a.p;
  const int groups = a.hidden / 8;
  const int64_t row_bytes = static_cast<int64_t>(a.hidden) * elt_bytes(T{});
  const int64_t slots = static_cast<int64_t>(p.world) * a.capacity;
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
      const int64_t row = (e % a.local_experts) * slots + static_cast<int64_t>(p.me) * a.capacity + slot;
      const float wk = a.topk_w[t * a.topk + k];
      float v[8];
      load8(T{}, peer_at<const char>(p, d, a.y_offset) + row * row_bytes, nullptr, g, v);
#pragma unroll
      for (int j = 0; j < 8; ++j) acc[j] = fmaf(wk, v[j], acc[j]);
    }
    store8(T{}, static_cast<char*>(a.out) + t * row_bytes, g, acc);
  }
}

}  // namespace

cudaError_t launch_ll_route(const LlRouteArgs& a, cudaStream_t stream) {
  ll_route_kernel<<<1, kRouteThreads, 0, stream>>>(a);
  return cudaGetLastError();
}

cudaError_t launch_ll_send(const LlSendArgs& a, cudaStream_t stream) {
  const int chunks = ((a.row_bytes >> 4) + kTurn - 1) / kTurn;
  ll_send_kernel<<<blocks_for(static_cast<int64_t>(a.tokens) * chunks, kWarps, a.max_blocks), kThreads, 0, stream>>>(a);
  return cudaGetLastError();
}

cudaError_t launch_ll_pull(const LlPullArgs& a, cudaStream_t stream) {
  return with_combine(a.elt, [&](auto tag) {
    const int64_t threads = static_cast<int64_t>(a.tokens) * (a.hidden / 8);
    ll_pull_kernel<decltype(tag)><<<blocks_for(threads / kWarp + 1, kWarps, a.max_blocks), kThreads, 0, stream>>>(a);
    return cudaGetLastError();
  });
}

}  // namespace kernels
}  // namespace ep
