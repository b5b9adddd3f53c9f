// Carves the caller's workspace into the group's buffers. One function both sizes (base = NULL)
// and carves, so the two can never disagree.
#include <stdint.h>

#include "group.h"

namespace ep {
namespace {

constexpr size_t kAlign = 256;

struct Carver {
  char* base;
  size_t used = 0;
  template <typename T>
  T* take(size_t bytes) {
    used = (used + kAlign - 1) / kAlign * kAlign;
    T* p = base == nullptr ? nullptr : reinterpret_cast<T*>(base + used);
    used += bytes;
    return p;
  }
};

}  // namespace

kernels::Elt dispatch_elt(ep_dtype d) {
  return d == EP_DTYPE_BF16 ? kernels::Elt::kBf16 : d == EP_DTYPE_FP32 ? kernels::Elt::kF32 : kernels::Elt::kFp8;
}

kernels::Elt combine_elt(ep_dtype d) { return d == EP_DTYPE_FP32 ? kernels::Elt::kF32 : kernels::Elt::kBf16; }

size_t carve(const ep_group_config& c, char* base, Workspace* ws) {
  Workspace scratch{};
  Workspace& w = ws == nullptr ? scratch : *ws;
  Carver k{base};
  const size_t n = c.world_size;
  const size_t e = c.experts;
  const size_t l = e / n;
  const size_t kk = c.topk;
  const size_t t = c.max_tokens_per_rank;
  const size_t h = c.hidden;
  const size_t rb = h * (c.dtype == EP_DTYPE_BF16 ? 2 : c.dtype == EP_DTYPE_FP32 ? 4 : 1);
  const size_t cb = h * (c.dtype == EP_DTYPE_FP32 ? 4 : 2);
  const size_t sb = c.dtype == EP_DTYPE_FP8_E4M3 ? (h / EP_FP8_SCALE_BLOCK) * 4 : 0;
  const size_t m = c.ll_max_tokens_per_rank;
  const bool peer = (c.flags & EP_FLAG_PEER_WINDOWS) != 0;
  const size_t chunks = (t + kernels::kLayoutChunk - 1) / kernels::kLayoutChunk;
  // NCCL staging exists only on the host-API path; peers write into the receive buffers directly.
  const size_t staged = peer ? 0 : 1;

  w.x = k.take<char>(t * rb);
  w.x_scales = k.take<float>(t * sb);
  w.topk_idx = k.take<int64_t>(t * kk * 8);
  w.topk_w = k.take<float>(t * kk * 4);
  w.combined = k.take<char>(t * cb);
  w.error_word = k.take<uint32_t>(4);

  w.token_pos = k.take<int>(t * n * 4);
  w.tokens_per_rank = k.take<int>(n * 4);
  w.tokens_per_expert = k.take<int>(e * 4);
  w.count_msg = k.take<int>(n * (1 + l) * 4);
  w.recv_counts = k.take<int>(n * (1 + l) * 4);
  w.recv_prefix = k.take<int>(n * 4);
  w.recv_expert_counts = k.take<int>(l * 4);
  w.chunk_total = k.take<int>(n * chunks * 4);
  w.chunk_expert = k.take<int>(chunks * e * 4);

  HtBuffers* sides[] = {&w.recv, &w.send_stage, &w.recv_stage};
  for (HtBuffers* s : sides) {
    const size_t rows = s == &w.recv ? n * t : n * t * staged;
    s->capacity = static_cast<int64_t>(rows);
    s->rows.x = k.take<char>(rows * rb);
    s->rows.scales = k.take<float>(rows * sb);
    s->rows.idx = k.take<int>(rows * kk * 4);
    s->rows.w = k.take<float>(rows * kk * 4);
    s->rows.src = k.take<int>(rows * 2 * 4);
  }
  w.reduced = k.take<char>(n * t * cb);
  w.combine_send = k.take<char>(n * t * cb * staged);
  w.combine_recv = k.take<char>(n * t * cb * staged);

  const size_t slots = l * n * m;  // LL rows, also N*L*M on the staging side
  w.ll_pair_slot = k.take<int>(m * kk * 4);
  w.ll_count_msg = k.take<int>(n * l * 4);
  w.ll_recv_counts = k.take<int>(n * l * 4);
  w.ll_recv_x = k.take<char>(slots * rb);
  w.ll_recv_scales = k.take<float>(slots * sb);
  w.ll_recv_src = k.take<int>(slots * 4);
  w.ll_y = k.take<char>(slots * cb);
  w.ll_stage_x = k.take<char>(slots * rb * staged);
  w.ll_stage_scales = k.take<float>(slots * sb * staged);
  w.ll_stage_src = k.take<int>(slots * 4 * staged);
  w.ll_combine_stage = k.take<char>(slots * cb * staged);

  const size_t p = peer ? 1 : 0;
  w.peer_bases = k.take<uint64_t>(n * 8 * p);
  w.epochs = k.take<uint64_t>(kPeerPhases * 8 * p);
  w.flags = k.take<uint64_t>(kPeerPhases * n * 8 * p);
  w.ht_matrix = k.take<int>(n * n * 4 * p);
  w.ht_counts = k.take<int>(n * (1 + l) * 4 * p);
  w.send_offset = k.take<int>(n * 4 * p);
  w.ll_hits = k.take<uint32_t>(e * ((m + 31) / 32) * 4 * p);
  return (k.used + kAlign - 1) / kAlign * kAlign;
}

}  // namespace ep
