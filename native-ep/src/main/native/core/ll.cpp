// LL steps: dispatch into the expert-major layout, experts, weighted combine at home. Every
// transfer has a fixed size (M rows per local expert and peer), so shapes never depend on data.
#include "error.h"
#include "experts.h"
#include "group.h"
#include "peer.h"

namespace ep {
namespace {

ep_status check_ll(ep_group* g, bool need_comm) {
  if (g == nullptr) return fail(EP_ERR_ARGUMENT, "group: is NULL");
  EP_TRY(check_not_pending(*g));
  if (g->cfg.ll_max_tokens_per_rank == 0)
    return fail(EP_ERR_STATE, "LL is off for this group: ll_max_tokens_per_rank = 0");
  if (need_comm && g->peer) return check_peers(*g);
  if (need_comm && needs_comm(*g) && (g->comm == nullptr || !g->comm_ready))
    return fail(EP_ERR_STATE, "the communicator is not ready (aborted, or ep_group_comm_init not finished)");
  return EP_OK;
}

bool is_peer(const ep_group& g, int p) { return p != g.cfg.rank || !g.self_direct; }

}  // namespace

ep_status ll_combine_at_home(ep_group& g);

}  // namespace ep

using ep::fail;

extern "C" {

EP_API ep_status ep_ll_dispatch(ep_group* g, int num_tokens) {
  EP_TRY(ep::check_ll(g, true));
  const int m = g->cfg.ll_max_tokens_per_rank;
  if (num_tokens < 0 || num_tokens > m)
    return fail(EP_ERR_ARGUMENT, "num_tokens = %d is not allowed: 0..ll_max_tokens_per_rank = %d (use HT above)",
                num_tokens, m);
  if (g->peer) {
    g->ll_tokens = num_tokens;
    g->ll_experts_done = false;
    return ep::peer_ll_dispatch(*g, num_tokens);
  }
  const ep::Workspace& w = g->ws;
  const int l = g->local_experts;
  ep::kernels::LlDispatchArgs a{};
  a.x = w.x;
  a.scales = w.x_scales;
  a.topk_idx = w.topk_idx;
  a.tokens = num_tokens;
  a.topk = g->cfg.topk;
  a.world = g->cfg.world_size;
  a.local_experts = l;
  a.me = g->cfg.rank;
  a.capacity = m;
  a.row_bytes = g->row_bytes;
  a.scale_floats = g->scale_floats;
  a.max_blocks = g->max_blocks;
  a.self_direct = g->self_direct;
  a.pair_slot = w.ll_pair_slot;
  a.count_msg = w.ll_count_msg;
  a.recv_counts = w.ll_recv_counts;
  a.recv_x = w.ll_recv_x;
  a.recv_scales = w.ll_recv_scales;
  a.recv_src = w.ll_recv_src;
  a.stage_x = w.ll_stage_x;
  a.stage_scales = w.ll_stage_scales;
  a.stage_src = w.ll_stage_src;
  a.error_word = w.error_word;
  EP_CUDA_TRY(ep::kernels::launch_ll_dispatch(a, g->stream));
  g->ll_tokens = num_tokens;
  g->ll_experts_done = false;
  if (!ep::needs_comm(*g)) return EP_OK;
  const ep::NcclApi& n = *g->nccl;
  const int64_t slots = static_cast<int64_t>(g->cfg.world_size) * m;
  const size_t rows_bytes = static_cast<size_t>(m) * g->row_bytes;
  const size_t scale_bytes = static_cast<size_t>(m) * g->scale_floats * 4;
  int rc = n.groupStart();
  for (int p = 0; p < g->cfg.world_size && rc == ep::kNcclSuccess; ++p) {
    if (!ep::is_peer(*g, p)) continue;
    rc = n.send(w.ll_count_msg + p * l, l, ep::kNcclInt32, p, g->comm, g->stream);
    if (rc == ep::kNcclSuccess) rc = n.recv(w.ll_recv_counts + p * l, l, ep::kNcclInt32, p, g->comm, g->stream);
    for (int e = 0; e < l && rc == ep::kNcclSuccess; ++e) {
      const int64_t out_row = (static_cast<int64_t>(p) * l + e) * m;  // staging [N, L, M]
      const int64_t in_row = e * slots + static_cast<int64_t>(p) * m;  // layout [L, N*M]
      rc = n.send(static_cast<char*>(w.ll_stage_x) + out_row * g->row_bytes, rows_bytes, ep::kNcclInt8, p, g->comm,
                  g->stream);
      if (rc == ep::kNcclSuccess)
        rc = n.recv(static_cast<char*>(w.ll_recv_x) + in_row * g->row_bytes, rows_bytes, ep::kNcclInt8, p, g->comm,
                    g->stream);
      if (rc == ep::kNcclSuccess && scale_bytes > 0) {
        rc = n.send(w.ll_stage_scales + out_row * g->scale_floats, scale_bytes, ep::kNcclInt8, p, g->comm, g->stream);
        if (rc == ep::kNcclSuccess)
          rc = n.recv(w.ll_recv_scales + in_row * g->scale_floats, scale_bytes, ep::kNcclInt8, p, g->comm, g->stream);
      }
      if (rc == ep::kNcclSuccess) rc = n.send(w.ll_stage_src + out_row, m, ep::kNcclInt32, p, g->comm, g->stream);
      if (rc == ep::kNcclSuccess) rc = n.recv(w.ll_recv_src + in_row, m, ep::kNcclInt32, p, g->comm, g->stream);
    }
  }
  if (rc != ep::kNcclSuccess) {
    n.groupEnd();
    return ep::nccl_fail(n, rc, "LL dispatch");
  }
  ep_status st = ep::nccl_group_end(*g, "LL dispatch");
  return st == EP_IN_PROGRESS ? ep::defer(*g, ep::Pending::kWait) : st;
}

EP_API ep_status ep_ll_experts(ep_group* g, ep_expert_kind kind) {
  EP_TRY(ep::check_ll(g, false));
  if (g->ll_tokens < 0) return fail(EP_ERR_STATE, "ep_ll_experts needs an earlier ep_ll_dispatch");
  EP_TRY(ep::run_ll_experts(*g, kind));
  g->ll_experts_done = true;
  return EP_OK;
}

EP_API ep_status ep_ll_combine(ep_group* g) {
  EP_TRY(ep::check_ll(g, true));
  if (!g->ll_experts_done) return fail(EP_ERR_STATE, "ep_ll_combine needs ep_ll_experts after the dispatch");
  if (g->peer) return ep::peer_ll_combine(*g);
  const ep::Workspace& w = g->ws;
  const int l = g->local_experts;
  const int m = g->cfg.ll_max_tokens_per_rank;
  const int64_t slots = static_cast<int64_t>(g->cfg.world_size) * m;
  if (ep::needs_comm(*g)) {
    const ep::NcclApi& n = *g->nccl;
    const size_t rows_bytes = static_cast<size_t>(m) * g->combine_bytes;
    int rc = n.groupStart();
    for (int p = 0; p < g->cfg.world_size && rc == ep::kNcclSuccess; ++p) {
      if (!ep::is_peer(*g, p)) continue;
      for (int e = 0; e < l && rc == ep::kNcclSuccess; ++e) {
        const int64_t y_row = e * slots + static_cast<int64_t>(p) * m;
        const int64_t back_row = (static_cast<int64_t>(p) * l + e) * m;
        rc = n.send(static_cast<char*>(w.ll_y) + y_row * g->combine_bytes, rows_bytes, ep::kNcclInt8, p, g->comm,
                    g->stream);
        if (rc == ep::kNcclSuccess)
          rc = n.recv(static_cast<char*>(w.ll_combine_stage) + back_row * g->combine_bytes, rows_bytes, ep::kNcclInt8,
                      p, g->comm, g->stream);
      }
    }
    if (rc != ep::kNcclSuccess) {
      n.groupEnd();
      return ep::nccl_fail(n, rc, "LL combine");
    }
    ep_status st = ep::nccl_group_end(*g, "LL combine");
    if (st == EP_IN_PROGRESS) return ep::defer(*g, ep::Pending::kLlCombine);
    EP_TRY(st);
  }
  return ep::ll_combine_at_home(*g);
}

}  // extern "C"

namespace ep {

ep_status ll_combine_at_home(ep_group& g0) {
  ep_group* g = &g0;
  const ep::Workspace& w = g->ws;
  const int l = g->local_experts;
  const int m = g->cfg.ll_max_tokens_per_rank;
  ep::kernels::LlCombineArgs c{};
  c.topk_idx = w.topk_idx;
  c.topk_w = w.topk_w;
  c.pair_slot = w.ll_pair_slot;
  c.y = w.ll_y;
  c.stage = w.ll_combine_stage;
  c.tokens = g->ll_tokens;
  c.topk = g->cfg.topk;
  c.world = g->cfg.world_size;
  c.local_experts = l;
  c.me = g->cfg.rank;
  c.capacity = m;
  c.hidden = g->cfg.hidden;
  c.max_blocks = g->max_blocks;
  c.self_direct = g->self_direct;
  c.elt = ep::combine_elt(g->cfg.dtype);
  c.out = w.combined;
  EP_CUDA_TRY(ep::kernels::launch_ll_combine(c, g->stream));
  return EP_OK;
}

ep_status ll_resume(ep_group& g, Pending rest) {
  return rest == Pending::kLlCombine ? ll_combine_at_home(g) : EP_OK;
}

}  // namespace ep

extern "C" {

EP_API ep_status ep_group_view(const ep_group* g, ep_dispatch_view* out) {
  if (g == nullptr || out == nullptr) return fail(EP_ERR_ARGUMENT, "group/out: is NULL");
  const ep::Workspace& w = g->ws;
  out->recv_x = reinterpret_cast<uint64_t>(w.recv.rows.x);
  out->recv_scales = reinterpret_cast<uint64_t>(w.recv.rows.scales);
  out->recv_topk_idx = reinterpret_cast<uint64_t>(w.recv.rows.idx);
  out->recv_topk_weights = reinterpret_cast<uint64_t>(w.recv.rows.w);
  out->recv_src = reinterpret_cast<uint64_t>(w.recv.rows.src);
  out->recv_counts = reinterpret_cast<uint64_t>(w.recv_counts);
  out->recv_expert_counts = reinterpret_cast<uint64_t>(w.recv_expert_counts);
  out->reduced = reinterpret_cast<uint64_t>(w.reduced);
  out->tokens_per_rank = reinterpret_cast<uint64_t>(w.tokens_per_rank);
  out->tokens_per_expert = reinterpret_cast<uint64_t>(w.tokens_per_expert);
  out->token_pos = reinterpret_cast<uint64_t>(w.token_pos);
  out->ll_recv_x = reinterpret_cast<uint64_t>(w.ll_recv_x);
  out->ll_recv_scales = reinterpret_cast<uint64_t>(w.ll_recv_scales);
  out->ll_recv_src = reinterpret_cast<uint64_t>(w.ll_recv_src);
  out->ll_recv_counts = reinterpret_cast<uint64_t>(w.ll_recv_counts);
  out->ll_y = reinterpret_cast<uint64_t>(w.ll_y);
  out->row_capacity = w.recv.capacity;
  return EP_OK;
}

}  // extern "C"
