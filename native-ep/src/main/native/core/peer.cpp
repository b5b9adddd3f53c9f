// The peer path's host side: arming the windows, and queuing each step's kernels.
#include "peer.h"

#include <string.h>

#include "error.h"

namespace ep {
namespace {

kernels::PeerCtx peer_ctx(const ep_group& g) {
  kernels::PeerCtx p{};
  p.bases = g.ws.peer_bases;
  p.world = g.cfg.world_size;
  p.me = g.cfg.rank;
  p.error_word = g.ws.error_word;
  p.timeout_ns = g.peer_timeout_ns;
  return p;
}

kernels::BarrierSlot slot(const ep_group& g, PeerPhase phase) {
  kernels::BarrierSlot b{};
  b.epoch = g.ws.epochs + phase;
  const uint64_t* flags = g.ws.flags + static_cast<int64_t>(phase) * g.cfg.world_size;
  b.flags_offset = window_offset(g, flags);
  b.own_flags = flags;
  return b;
}

ep_status barrier(ep_group& g, PeerPhase phase) {
  EP_CUDA_TRY(kernels::launch_peer_barrier(peer_ctx(g), slot(g, phase), g.stream));
  return EP_OK;
}

}  // namespace

ep_status check_peers(const ep_group& g) {
  if (!g.peers_set) return fail(EP_ERR_STATE, "the peer windows are not set: ep_group_set_peers first");
  return EP_OK;
}

ep_status peer_ht_dispatch(ep_group& g, bool cached) {
  const Workspace& w = g.ws;
  const kernels::PeerCtx p = peer_ctx(g);
  if (!cached) {
    kernels::HtNotifyArgs n{};
    n.p = p;
    n.b = slot(g, kPeerNotify);
    n.tokens_per_rank = w.tokens_per_rank;
    n.count_msg = w.count_msg;
    n.local_experts = g.local_experts;
    n.alignment = g.cfg.alignment;
    n.matrix_offset = window_offset(g, w.ht_matrix);
    n.counts_offset = window_offset(g, w.ht_counts);
    n.own_matrix = w.ht_matrix;
    n.own_counts = w.ht_counts;
    n.recv_counts = w.recv_counts;
    n.recv_prefix = w.recv_prefix;
    n.recv_expert_counts = w.recv_expert_counts;
    n.send_offset = w.send_offset;
    EP_CUDA_TRY(kernels::launch_ht_notify(n, g.stream));
  }
  kernels::HtSendArgs s{};
  s.p = p;
  s.x = w.x;
  s.scales = w.x_scales;
  s.topk_idx = w.topk_idx;
  s.topk_w = w.topk_w;
  s.token_pos = w.token_pos;
  s.send_offset = w.send_offset;
  s.tokens = g.ht_tokens;
  s.topk = g.cfg.topk;
  s.local_experts = g.local_experts;
  s.row_bytes = g.row_bytes;
  s.scale_floats = g.scale_floats;
  s.max_blocks = g.max_blocks;
  s.rows.x = window_offset(g, w.recv.rows.x);
  s.rows.scales = window_offset(g, w.recv.rows.scales);
  s.rows.idx = window_offset(g, w.recv.rows.idx);
  s.rows.w = window_offset(g, w.recv.rows.w);
  s.rows.src = window_offset(g, w.recv.rows.src);
  EP_CUDA_TRY(kernels::launch_ht_send(s, g.stream));
  return barrier(g, kPeerDispatch);
}

ep_status peer_ht_combine(ep_group& g) {
  EP_TRY(barrier(g, kPeerCombine));
  kernels::HtPullArgs a{};
  a.p = peer_ctx(g);
  a.token_pos = g.ws.token_pos;
  a.send_offset = g.ws.send_offset;
  a.tokens = g.ht_tokens;
  a.hidden = g.cfg.hidden;
  a.max_blocks = g.max_blocks;
  a.reduced_offset = window_offset(g, g.ws.reduced);
  a.elt = combine_elt(g.cfg.dtype);
  a.out = g.ws.combined;
  EP_CUDA_TRY(kernels::launch_ht_pull(a, g.stream));
  return EP_OK;
}

ep_status peer_ll_dispatch(ep_group& g, int num_tokens) {
  const Workspace& w = g.ws;
  const kernels::PeerCtx p = peer_ctx(g);
  kernels::LlRouteArgs r{};
  r.p = p;
  r.topk_idx = w.topk_idx;
  r.tokens = num_tokens;
  r.topk = g.cfg.topk;
  r.experts = g.cfg.experts;
  r.local_experts = g.local_experts;
  r.hits = w.ll_hits;
  r.words = (g.cfg.ll_max_tokens_per_rank + 31) / 32;
  r.pair_slot = w.ll_pair_slot;
  r.counts_offset = window_offset(g, w.ll_recv_counts);
  EP_CUDA_TRY(kernels::launch_ll_route(r, g.stream));
  kernels::LlSendArgs s{};
  s.p = p;
  s.x = w.x;
  s.scales = w.x_scales;
  s.topk_idx = w.topk_idx;
  s.pair_slot = w.ll_pair_slot;
  s.tokens = num_tokens;
  s.topk = g.cfg.topk;
  s.local_experts = g.local_experts;
  s.capacity = g.cfg.ll_max_tokens_per_rank;
  s.row_bytes = g.row_bytes;
  s.scale_floats = g.scale_floats;
  s.max_blocks = g.max_blocks;
  s.x_offset = window_offset(g, w.ll_recv_x);
  s.scales_offset = window_offset(g, w.ll_recv_scales);
  s.src_offset = window_offset(g, w.ll_recv_src);
  EP_CUDA_TRY(kernels::launch_ll_send(s, g.stream));
  return barrier(g, kPeerDispatch);
}

ep_status peer_ll_combine(ep_group& g) {
  EP_TRY(barrier(g, kPeerCombine));
  const Workspace& w = g.ws;
  kernels::LlPullArgs a{};
  a.p = peer_ctx(g);
  a.topk_idx = w.topk_idx;
  a.topk_w = w.topk_w;
  a.pair_slot = w.ll_pair_slot;
  a.tokens = g.ll_tokens;
  a.topk = g.cfg.topk;
  a.local_experts = g.local_experts;
  a.capacity = g.cfg.ll_max_tokens_per_rank;
  a.hidden = g.cfg.hidden;
  a.max_blocks = g.max_blocks;
  a.y_offset = window_offset(g, w.ll_y);
  a.elt = combine_elt(g.cfg.dtype);
  a.out = w.combined;
  EP_CUDA_TRY(kernels::launch_ll_pull(a, g.stream));
  return EP_OK;
}

}  // namespace ep

extern "C" EP_API ep_status ep_group_set_peers(ep_group* g, const uint64_t* bases, int count, uint64_t timeout_ns) {
  if (g == nullptr) return ep::fail(EP_ERR_ARGUMENT, "group: is NULL");
  if (!g->peer) return ep::fail(EP_ERR_STATE, "the group was not created with EP_FLAG_PEER_WINDOWS");
  if (bases == nullptr || count != g->cfg.world_size)
    return ep::fail(EP_ERR_ARGUMENT, "bases: %d entries is not allowed: one per rank (%d)", bases == nullptr ? 0 : count,
                    g->cfg.world_size);
  for (int r = 0; r < count; ++r) {
    if (bases[r] == 0 || bases[r] % 256 != 0)
      return ep::fail(EP_ERR_ARGUMENT, "bases[%d] = 0x%llx is not allowed: a device address aligned to 256 bytes", r,
                      static_cast<unsigned long long>(bases[r]));
  }
  if (bases[g->cfg.rank] != reinterpret_cast<uint64_t>(g->ws_base))
    return ep::fail(EP_ERR_ARGUMENT, "bases[%d] = 0x%llx is not allowed: it must be this group's own workspace 0x%llx",
                    g->cfg.rank, static_cast<unsigned long long>(bases[g->cfg.rank]),
                    static_cast<unsigned long long>(reinterpret_cast<uint64_t>(g->ws_base)));
  if (timeout_ns == 0) return ep::fail(EP_ERR_ARGUMENT, "timeout_ns = 0 is not allowed: > 0");
  const ep::Workspace& w = g->ws;
  const size_t n = static_cast<size_t>(count);
  EP_CUDA_TRY(cudaMemcpyAsync(w.peer_bases, bases, n * sizeof(uint64_t), cudaMemcpyHostToDevice, g->stream));
  EP_CUDA_TRY(cudaMemsetAsync(w.epochs, 0, ep::kPeerPhases * sizeof(uint64_t), g->stream));
  EP_CUDA_TRY(cudaMemsetAsync(w.flags, 0, ep::kPeerPhases * n * sizeof(uint64_t), g->stream));
  EP_CUDA_TRY(cudaMemsetAsync(w.error_word, 0, sizeof(uint32_t), g->stream));
  // Once per generation: peers may write into this window as soon as every rank returned from here.
  EP_CUDA_TRY(cudaStreamSynchronize(g->stream));
  g->peer_timeout_ns = timeout_ns;
  g->peers_set = true;
  return EP_OK;
}

extern "C" EP_API ep_status ep_ipc_handle(uint64_t base, uint8_t out[EP_IPC_HANDLE_BYTES]) {
  if (base == 0 || out == nullptr) return ep::fail(EP_ERR_ARGUMENT, "base/out: must not be 0/NULL");
  cudaIpcMemHandle_t h;
  EP_CUDA_TRY(cudaIpcGetMemHandle(&h, reinterpret_cast<void*>(base)));
  static_assert(sizeof(h) == EP_IPC_HANDLE_BYTES, "cudaIpcMemHandle_t is 64 bytes");
  memcpy(out, &h, EP_IPC_HANDLE_BYTES);
  return EP_OK;
}

extern "C" EP_API ep_status ep_ipc_open(const uint8_t handle[EP_IPC_HANDLE_BYTES], uint64_t* base_out) {
  if (handle == nullptr || base_out == nullptr) return ep::fail(EP_ERR_ARGUMENT, "handle/base_out: is NULL");
  cudaIpcMemHandle_t h;
  memcpy(&h, handle, EP_IPC_HANDLE_BYTES);
  void* p = nullptr;
  EP_CUDA_TRY(cudaIpcOpenMemHandle(&p, h, cudaIpcMemLazyEnablePeerAccess));
  *base_out = reinterpret_cast<uint64_t>(p);
  return EP_OK;
}

extern "C" EP_API ep_status ep_ipc_close(uint64_t base) {
  if (base == 0) return ep::fail(EP_ERR_ARGUMENT, "base: must not be 0");
  EP_CUDA_TRY(cudaIpcCloseMemHandle(reinterpret_cast<void*>(base)));
  return EP_OK;
}
