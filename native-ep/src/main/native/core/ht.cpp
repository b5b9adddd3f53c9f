// HT steps: layout, dispatch (fresh or cached), local experts, combine. Host code only queues work;
// transfers are sized from the step's per-rank token counts, never from device counts.
#include <string.h>

#include "config_check.h"
#include "error.h"
#include "experts.h"
#include "group.h"
#include "peer.h"

namespace ep {
namespace {

ep_status check_group(ep_group* g, bool need_comm_ready) {
  if (g == nullptr) return fail(EP_ERR_ARGUMENT, "group: is NULL");
  EP_TRY(check_not_pending(*g));
  if (need_comm_ready && g->peer) return check_peers(*g);
  if (need_comm_ready && needs_comm(*g)) {
    if (g->comm == nullptr)
      return fail(EP_ERR_STATE, g->aborted ? "the communicator was aborted; join a new world"
                                           : "no communicator: ep_group_comm_init first");
    if (!g->comm_ready) return fail(EP_ERR_STATE, "the communicator is not ready yet (ep_group_comm_state != 0)");
  }
  return EP_OK;
}

// Peers this rank exchanges with: everyone else, plus itself when self rows go through NCCL.
bool is_peer(const ep_group& g, int p) { return p != g.cfg.rank || !g.self_direct; }

// Rows this rank's staged HT payloads hold for (send to / receive from) peer p.
ep_status exchange_rows(ep_group& g, const kernels::HtRows& send, const kernels::HtRows& recv, int64_t stage_rows,
                        const int* tokens_per_rank, const char* what) {
  const NcclApi& n = *g.nccl;
  const int me = g.cfg.rank;
  const int k = g.cfg.topk;
  const size_t send_rows = tokens_per_rank[me];
  int rc = n.groupStart();
  for (int p = 0; p < g.cfg.world_size && rc == kNcclSuccess; ++p) {
    if (!is_peer(g, p)) continue;
    const size_t recv_rows = tokens_per_rank[p];
    const int64_t base = p * stage_rows;
    const char* sx = static_cast<const char*>(send.x) + base * g.row_bytes;
    char* rx = static_cast<char*>(recv.x) + base * g.row_bytes;
    rc = n.send(sx, send_rows * g.row_bytes, kNcclInt8, p, g.comm, g.stream);
    if (rc == kNcclSuccess) rc = n.recv(rx, recv_rows * g.row_bytes, kNcclInt8, p, g.comm, g.stream);
    if (rc == kNcclSuccess && g.scale_floats > 0) {
      rc = n.send(send.scales + base * g.scale_floats, send_rows * g.scale_floats * 4, kNcclInt8, p, g.comm, g.stream);
      if (rc == kNcclSuccess)
        rc = n.recv(recv.scales + base * g.scale_floats, recv_rows * g.scale_floats * 4, kNcclInt8, p, g.comm, g.stream);
    }
    if (rc == kNcclSuccess) rc = n.send(send.idx + base * k, send_rows * k, kNcclInt32, p, g.comm, g.stream);
    if (rc == kNcclSuccess) rc = n.recv(recv.idx + base * k, recv_rows * k, kNcclInt32, p, g.comm, g.stream);
    if (rc == kNcclSuccess) rc = n.send(send.w + base * k, send_rows * k * 4, kNcclInt8, p, g.comm, g.stream);
    if (rc == kNcclSuccess) rc = n.recv(recv.w + base * k, recv_rows * k * 4, kNcclInt8, p, g.comm, g.stream);
    if (rc == kNcclSuccess) rc = n.send(send.src + base * 2, send_rows * 2, kNcclInt32, p, g.comm, g.stream);
    if (rc == kNcclSuccess) rc = n.recv(recv.src + base * 2, recv_rows * 2, kNcclInt32, p, g.comm, g.stream);
  }
  if (rc != kNcclSuccess) {
    n.groupEnd();
    return nccl_fail(n, rc, what);
  }
  return nccl_group_end(g, what);
}

ep_status exchange_counts(ep_group& g) {
  const NcclApi& n = *g.nccl;
  const size_t len = 1 + g.local_experts;
  int rc = n.groupStart();
  for (int p = 0; p < g.cfg.world_size && rc == kNcclSuccess; ++p) {
    if (!is_peer(g, p)) continue;
    rc = n.send(g.ws.count_msg + p * len, len, kNcclInt32, p, g.comm, g.stream);
    if (rc == kNcclSuccess) rc = n.recv(g.ws.recv_counts + p * len, len, kNcclInt32, p, g.comm, g.stream);
  }
  if (rc != kNcclSuccess) {
    n.groupEnd();
    return nccl_fail(n, rc, "HT count exchange");
  }
  return nccl_group_end(g, "HT count exchange");
}

ep_status unpack(ep_group& g);

ep_status pack_and_move(ep_group& g) {
  const Workspace& w = g.ws;
  kernels::HtPackArgs a{};
  a.x = w.x;
  a.scales = w.x_scales;
  a.topk_idx = w.topk_idx;
  a.topk_w = w.topk_w;
  a.token_pos = w.token_pos;
  a.recv_counts = w.recv_counts;
  a.tokens = g.ht_tokens;
  a.topk = g.cfg.topk;
  a.world = g.cfg.world_size;
  a.local_experts = g.local_experts;
  a.me = g.cfg.rank;
  a.row_bytes = g.row_bytes;
  a.scale_floats = g.scale_floats;
  a.alignment = g.cfg.alignment;
  a.max_blocks = g.max_blocks;
  a.self_direct = g.self_direct;
  a.recv = w.recv.rows;
  a.stage = w.send_stage.rows;
  a.stage_rows = g.cfg.max_tokens_per_rank;
  a.recv_prefix = w.recv_prefix;
  a.recv_expert_counts = w.recv_expert_counts;
  EP_CUDA_TRY(kernels::launch_ht_pack(a, g.stream));
  if (!needs_comm(g)) return EP_OK;
  ep_status st = exchange_rows(g, w.send_stage.rows, w.recv_stage.rows, a.stage_rows, g.tokens_per_rank.data(), "HT dispatch");
  if (st == EP_IN_PROGRESS) return defer(g, Pending::kHtUnpack);
  EP_TRY(st);
  return unpack(g);
}

ep_status unpack(ep_group& g) {
  const Workspace& w = g.ws;
  kernels::HtUnpackArgs u{};
  u.stage = w.recv_stage.rows;
  u.recv = w.recv.rows;
  u.recv_counts = w.recv_counts;
  u.world = g.cfg.world_size;
  u.topk = g.cfg.topk;
  u.local_experts = g.local_experts;
  u.me = g.cfg.rank;
  u.row_bytes = g.row_bytes;
  u.scale_floats = g.scale_floats;
  u.max_blocks = g.max_blocks;
  u.self_direct = g.self_direct;
  u.stage_rows = g.cfg.max_tokens_per_rank;
  EP_CUDA_TRY(kernels::launch_ht_unpack(u, g.stream));
  return EP_OK;
}

}  // namespace

ep_status ht_combine_at_home(ep_group& g);

}  // namespace ep

using ep::fail;

extern "C" {

EP_API ep_status ep_layout(ep_group* g, int num_tokens) {
  EP_TRY(ep::check_group(g, false));
  if (num_tokens < 0 || num_tokens > g->cfg.max_tokens_per_rank)
    return fail(EP_ERR_ARGUMENT, "num_tokens = %d is not allowed: 0..max_tokens_per_rank = %d", num_tokens,
                g->cfg.max_tokens_per_rank);
  ep::kernels::LayoutArgs a{};
  a.topk_idx = g->ws.topk_idx;
  a.tokens = num_tokens;
  a.topk = g->cfg.topk;
  a.world = g->cfg.world_size;
  a.experts = g->cfg.experts;
  a.me = g->cfg.rank;
  a.token_pos = g->ws.token_pos;
  a.tokens_per_rank = g->ws.tokens_per_rank;
  a.tokens_per_expert = g->ws.tokens_per_expert;
  a.count_msg = g->ws.count_msg;
  a.self_counts = g->self_direct && !g->peer ? g->ws.recv_counts + g->cfg.rank * (1 + g->local_experts) : nullptr;
  a.chunk_total = g->ws.chunk_total;
  a.chunk_expert = g->ws.chunk_expert;
  a.error_word = g->ws.error_word;
  EP_CUDA_TRY(ep::kernels::launch_layout(a, g->stream));
  g->layout_tokens = num_tokens;
  return EP_OK;
}

EP_API ep_status ep_ht_dispatch(ep_group* g, int num_tokens, const int* tokens_per_rank) {
  EP_TRY(ep::check_group(g, true));
  EP_TRY(ep::check_tokens_per_rank(*g, num_tokens, tokens_per_rank));
  if (g->layout_tokens != num_tokens)
    return fail(EP_ERR_STATE, "ep_layout was run for %d tokens, not num_tokens = %d; run ep_layout first",
                g->layout_tokens, num_tokens);
  memcpy(g->tokens_per_rank.data(), tokens_per_rank, sizeof(int) * g->cfg.world_size);
  g->ht_tokens = num_tokens;
  g->ht_experts_done = false;
  if (g->peer) return ep::peer_ht_dispatch(*g, false);
  if (ep::needs_comm(*g)) {
    ep_status st = ep::exchange_counts(*g);
    if (st == EP_IN_PROGRESS) return ep::defer(*g, ep::Pending::kHtPack);
    EP_TRY(st);
  }
  return ep::pack_and_move(*g);
}

EP_API ep_status ep_ht_dispatch_cached(ep_group* g) {
  EP_TRY(ep::check_group(g, true));
  if (g->ht_tokens < 0) return fail(EP_ERR_STATE, "cached dispatch needs an earlier ep_ht_dispatch (its handle)");
  g->ht_experts_done = false;
  if (g->peer) return ep::peer_ht_dispatch(*g, true);
  return ep::pack_and_move(*g);
}

EP_API ep_status ep_ht_experts(ep_group* g, ep_expert_kind kind) {
  EP_TRY(ep::check_group(g, false));
  if (g->ht_tokens < 0) return fail(EP_ERR_STATE, "ep_ht_experts needs an earlier ep_ht_dispatch");
  EP_TRY(ep::run_ht_experts(*g, kind));
  g->ht_experts_done = true;
  return EP_OK;
}

EP_API ep_status ep_ht_combine(ep_group* g) {
  EP_TRY(ep::check_group(g, true));
  if (!g->ht_experts_done) return fail(EP_ERR_STATE, "ep_ht_combine needs ep_ht_experts after the dispatch");
  if (g->peer) return ep::peer_ht_combine(*g);
  const ep::Workspace& w = g->ws;
  const int64_t stage_rows = g->cfg.max_tokens_per_rank;
  if (ep::needs_comm(*g)) {
    ep::kernels::HtCombinePackArgs p{};
    p.reduced = w.reduced;
    p.recv_counts = w.recv_counts;
    p.world = g->cfg.world_size;
    p.local_experts = g->local_experts;
    p.me = g->cfg.rank;
    p.row_bytes = g->combine_bytes;
    p.max_blocks = g->max_blocks;
    p.self_direct = g->self_direct;
    p.stage = w.combine_send;
    p.stage_rows = stage_rows;
    EP_CUDA_TRY(ep::kernels::launch_ht_combine_pack(p, g->stream));
    const ep::NcclApi& n = *g->nccl;
    const int me = g->cfg.rank;
    int rc = n.groupStart();
    for (int q = 0; q < g->cfg.world_size && rc == ep::kNcclSuccess; ++q) {
      if (!ep::is_peer(*g, q)) continue;
      // Back to q: at most the T_q rows q sent; from q: at most the T_me rows this rank sent.
      const size_t back = static_cast<size_t>(g->tokens_per_rank[q]) * g->combine_bytes;
      const size_t home = static_cast<size_t>(g->tokens_per_rank[me]) * g->combine_bytes;
      rc = n.send(static_cast<char*>(w.combine_send) + q * stage_rows * g->combine_bytes, back, ep::kNcclInt8, q,
                  g->comm, g->stream);
      if (rc == ep::kNcclSuccess)
        rc = n.recv(static_cast<char*>(w.combine_recv) + q * stage_rows * g->combine_bytes, home, ep::kNcclInt8, q,
                    g->comm, g->stream);
    }
    if (rc != ep::kNcclSuccess) {
      n.groupEnd();
      return ep::nccl_fail(n, rc, "HT combine");
    }
    ep_status st = ep::nccl_group_end(*g, "HT combine");
    if (st == EP_IN_PROGRESS) return ep::defer(*g, ep::Pending::kHtCombine);
    EP_TRY(st);
  }
  return ep::ht_combine_at_home(*g);
}

}  // extern "C"

namespace ep {

ep_status ht_combine_at_home(ep_group& g0) {
  ep_group* g = &g0;
  const ep::Workspace& w = g->ws;
  const int64_t stage_rows = g->cfg.max_tokens_per_rank;
  ep::kernels::HtCombineArgs c{};
  c.token_pos = w.token_pos;
  c.recv_counts = w.recv_counts;
  c.reduced = w.reduced;
  c.stage = w.combine_recv;
  c.tokens = g->ht_tokens;
  c.world = g->cfg.world_size;
  c.local_experts = g->local_experts;
  c.me = g->cfg.rank;
  c.hidden = g->cfg.hidden;
  c.max_blocks = g->max_blocks;
  c.self_direct = g->self_direct;
  c.stage_rows = stage_rows;
  c.elt = ep::combine_elt(g->cfg.dtype);
  c.out = w.combined;
  EP_CUDA_TRY(ep::kernels::launch_ht_combine(c, g->stream));
  return EP_OK;
}

ep_status ht_resume(ep_group& g, Pending rest) {
  switch (rest) {
    case Pending::kHtPack:
      return pack_and_move(g);
    case Pending::kHtUnpack:
      return unpack(g);
    case Pending::kHtCombine:
      return ht_combine_at_home(g);
    default:
      return EP_OK;
  }
}

}  // namespace ep
