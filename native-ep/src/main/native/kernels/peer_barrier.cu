// The peer path's synchronisation kernels: a bare barrier (one block), the HT notify (counts into
// every peer's window, barrier, receive-side summary), and a delay used by benchmarks.
#include "peer_sync.cuh"

namespace ep {
namespace kernels {
namespace {

constexpr int kSyncThreads = 256;

__global__ void __launch_bounds__(kSyncThreads) peer_barrier_kernel(PeerCtx p, BarrierSlot b) { block_barrier(p, b); }

__global__ void __launch_bounds__(kSyncThreads) ht_notify_kernel(HtNotifyArgs a) {
  const PeerCtx& p = a.p;
  const int n = p.world;
  const int len = 1 + a.local_experts;
  // This rank's row of the count matrix, and each destination's own counts, into every window.
  for (int d = 0; d < n; ++d) {
    int* matrix = peer_at<int>(p, d, a.matrix_offset) + static_cast<int64_t>(p.me) * n;
    for (int j = threadIdx.x; j < n; j += blockDim.x) matrix[j] = a.tokens_per_rank[j];
    int* counts = peer_at<int>(p, d, a.counts_offset) + static_cast<int64_t>(p.me) * len;
    const int* msg = a.count_msg + static_cast<int64_t>(d) * len;
    for (int j = threadIdx.x; j < len; j += blockDim.x) counts[j] = msg[j];
  }
  if (!block_barrier(p, a.b)) return;
  // Every source's counts are in this window now.
  for (int i = threadIdx.x; i < n * len; i += blockDim.x) a.recv_counts[i] = a.own_counts[i];
  for (int d = threadIdx.x; d < n; d += blockDim.x) {
    int before = 0;
    for (int s = 0; s < p.me; ++s) before += a.own_matrix[static_cast<int64_t>(s) * n + d];
    a.send_offset[d] = before;
  }
  for (int s = threadIdx.x; s < n; s += blockDim.x) {
    int before = 0;
    for (int q = 0; q < s; ++q) before += a.own_counts[static_cast<int64_t>(q) * len];
    a.recv_prefix[s] = before;
  }
  for (int l = threadIdx.x; l < a.local_experts; l += blockDim.x) {
    int total = 0;
    for (int s = 0; s < n; ++s) total += a.own_counts[static_cast<int64_t>(s) * len + 1 + l];
    a.recv_expert_counts[l] = (total + a.alignment - 1) / a.alignment * a.alignment;
  }
}

__global__ void delay_kernel(uint64_t ns) {
  const uint64_t start = global_ns();
  while (global_ns() - start < ns) __nanosleep(1000);
}

}  // namespace

cudaError_t launch_peer_barrier(const PeerCtx& p, const BarrierSlot& b, cudaStream_t stream) {
  peer_barrier_kernel<<<1, kSyncThreads, 0, stream>>>(p, b);
  return cudaGetLastError();
}

cudaError_t launch_ht_notify(const HtNotifyArgs& a, cudaStream_t stream) {
  ht_notify_kernel<<<1, kSyncThreads, 0, stream>>>(a);
  return cudaGetLastError();
}

cudaError_t launch_delay(uint64_t ns, cudaStream_t stream) {
  delay_kernel<<<1, 1, 0, stream>>>(ns);
  return cudaGetLastError();
}

}  // namespace kernels
}  // namespace ep
