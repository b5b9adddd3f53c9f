// Non-templated launchers for the kernels: plain argument structs in, cudaError_t out. The core
// validates everything before it calls these; launchers only pick the dtype instantiation and grid.
#ifndef EP_KERNELS_LAUNCHERS_H
#define EP_KERNELS_LAUNCHERS_H

#include <cuda_runtime_api.h>
#include <stdint.h>

namespace ep {
namespace kernels {

enum class Elt { kBf16 = 0, kF32 = 1, kFp8 = 2 };

// Per token and destination rank: the token's index among the tokens sent there, or -1; counts.
// Two launches over (token chunk, destination) blocks: positions inside each chunk, then the
// chunks' prefixes and the totals.
struct LayoutArgs {
  const int64_t* topk_idx;  // [T, K]
  int tokens, topk, world, experts, me;
  int* token_pos;           // [T, N]
  int* tokens_per_rank;     // [N]
  int* tokens_per_expert;   // [E]
  int* count_msg;           // [N, 1+L]: what this rank tells each destination
  int* self_counts;         // recv_counts row of this rank, or null when it travels through NCCL
  int* chunk_total;         // [N, C] scratch: tokens of each chunk sent to each destination
  int* chunk_expert;        // [C, E] scratch: (token, expert) slots of each chunk per expert
  uint32_t* error_word;
};
constexpr int kLayoutChunk = 512;
cudaError_t launch_layout(const LayoutArgs& a, cudaStream_t stream);

// ---- Peer windows: ranks that share memory write into (and read from) each other's workspace.

// The peer table as the kernels see it: rank r's workspace starts at bases[r] in this process.
struct PeerCtx {
  const uint64_t* bases;    // [N] device array
  int world, me;
  uint32_t* error_word;
  uint64_t timeout_ns;      // budget of every wait
};

// One phase's barrier: this rank's epoch counter and where the phase's flags [N] sit.
struct BarrierSlot {
  uint64_t* epoch;          // this rank's counter for the phase
  int64_t flags_offset;     // workspace offset of the phase's flags [N] (the same in every window)
  const uint64_t* own_flags;
};
cudaError_t launch_peer_barrier(const PeerCtx& p, const BarrierSlot& b, cudaStream_t stream);

// HT notify: every rank's per-destination token counts and per-expert counts go into every
// peer's window; after the barrier each rank derives its receive counts and where its rows start
// in every destination's receive buffer.
struct HtNotifyArgs {
  PeerCtx p;
  BarrierSlot b;
  const int* tokens_per_rank;   // [N] this rank's tokens per destination
  const int* count_msg;         // [N, 1+L]
  int local_experts, alignment;
  int64_t matrix_offset;        // window part [N(source), N(destination)]
  int64_t counts_offset;        // window part [N(source), 1+L]
  const int* own_matrix;
  const int* own_counts;
  int* recv_counts;             // [N, 1+L] local copy
  int* recv_prefix;             // [N]
  int* recv_expert_counts;      // [L] aligned
  int* send_offset;             // [N] first row of this rank's rows in each destination
};
cudaError_t launch_ht_notify(const HtNotifyArgs& a, cudaStream_t stream);

// Offsets of the HT receive rows inside every window.
struct HtRowOffsets {
  int64_t x, scales, idx, w, src;
};

// HT dispatch through peer windows: each token's row is read once and written straight to its
// final row in every destination's receive buffer, with local expert ids, weights and source.
struct HtSendArgs {
  PeerCtx p;
  const void* x;
  const float* scales;
  const int64_t* topk_idx;
  const float* topk_w;
  const int* token_pos;     // [T, N]
  const int* send_offset;   // [N]
  int tokens, topk, local_experts, row_bytes, scale_floats, max_blocks;
  HtRowOffsets rows;
};
cudaError_t launch_ht_send(const HtSendArgs& a, cudaStream_t stream);

// HT combine through peer windows: each token sums, in ascending destination rank, the reduced
// rows it left in every destination's window (fp32, rounded once).
struct HtPullArgs {
  PeerCtx p;
  const int* token_pos;     // [T, N]
  const int* send_offset;   // [N]
  int tokens, hidden, max_blocks;
  int64_t reduced_offset;
  Elt elt;
  void* out;
};
cudaError_t launch_ht_pull(const HtPullArgs& a, cudaStream_t stream);

// LL routing: slot of each (token, expert) pair = earlier tokens of this rank with that expert,
// from per-expert token bitmasks (no search over pairs); counts go to every destination's window.
struct LlRouteArgs {
  PeerCtx p;
  const int64_t* topk_idx;
  int tokens, topk, experts, local_experts;
  uint32_t* hits;           // [E, words] scratch
  int words;                // ceil(M / 32)
  int* pair_slot;           // [T, K]
  int64_t counts_offset;    // window part [N(source), L]
};
cudaError_t launch_ll_route(const LlRouteArgs& a, cudaStream_t stream);

// LL dispatch through peer windows: each token's row is read once and written to its slot of
// [L, N*M] in every destination expert's window.
struct LlSendArgs {
  PeerCtx p;
  const void* x;
  const float* scales;
  const int64_t* topk_idx;
  const int* pair_slot;
  int tokens, topk, local_experts, capacity, row_bytes, scale_floats, max_blocks;
  int64_t x_offset, scales_offset, src_offset;
};
cudaError_t launch_ll_send(const LlSendArgs& a, cudaStream_t stream);

// LL combine through peer windows: out[t] = sum over k ascending of w[t,k] * y (read in the
// expert's window), fp32 fused multiply-adds, rounded once.
struct LlPullArgs {
  PeerCtx p;
  const int64_t* topk_idx;
  const float* topk_w;
  const int* pair_slot;
  int tokens, topk, local_experts, capacity, hidden, max_blocks;
  int64_t y_offset;
  Elt elt;
  void* out;
};
cudaError_t launch_ll_pull(const LlPullArgs& a, cudaStream_t stream);

// A one-thread kernel that sleeps about `ns` on the GPU (benchmarks queue work behind it).
cudaError_t launch_delay(uint64_t ns, cudaStream_t stream);

// Rows of one HT side: data, fp8 scales, local expert ids, weights, source (rank, token).
struct HtRows {
  void* x;
  float* scales;
  int* idx;      // [rows, K]
  float* w;      // [rows, K]
  int* src;      // [rows, 2]
};

struct HtPackArgs {
  const void* x;
  const float* scales;
  const int64_t* topk_idx;
  const float* topk_w;
  const int* token_pos;     // [T, N]
  const int* recv_counts;   // [N, 1+L]
  int tokens, topk, world, local_experts, me, row_bytes, scale_floats, alignment, max_blocks;
  bool self_direct;
  HtRows recv;              // compact received rows (self rows land here when self_direct)
  HtRows stage;             // [N][stage_rows] rows per destination
  int64_t stage_rows;
  int* recv_prefix;         // [N]
  int* recv_expert_counts;  // [L]
};
cudaError_t launch_ht_pack(const HtPackArgs& a, cudaStream_t stream);

// Moves rows that arrived from other ranks out of their per-source staging into the compact rows.
struct HtUnpackArgs {
  HtRows stage;             // [N][stage_rows]
  HtRows recv;
  const int* recv_counts;   // [N, 1+L]
  int world, topk, local_experts, me, row_bytes, scale_floats, max_blocks;
  bool self_direct;
  int64_t stage_rows;
};
cudaError_t launch_ht_unpack(const HtUnpackArgs& a, cudaStream_t stream);

// Local experts (identity/scale) with the weighted per-row reduction, or the reduction alone over
// precomputed fp32 expert outputs (swiglu).
struct HtExpertArgs {
  const void* x;
  const float* scales;
  const int* idx;
  const float* w;
  const int* recv_counts;   // total rows = sum of column 0
  int world, topk, local_experts, experts, first_expert, hidden, max_blocks;
  int64_t row_capacity;
  Elt in, out;
  int scale_experts;        // 1: y = x * (1 + e/E); 0: identity
  const float* expert_y;    // swiglu: [L, rows, H] fp32, else null
  void* reduced;            // [rows, H] out dtype
};
cudaError_t launch_ht_experts(const HtExpertArgs& a, cudaStream_t stream);

// Copies reduced rows of remote sources into per-source combine staging (NCCL sends from there).
struct HtCombinePackArgs {
  const void* reduced;
  const int* recv_counts;
  int world, local_experts, me, row_bytes, max_blocks;
  bool self_direct;
  void* stage;              // [N][stage_rows] rows
  int64_t stage_rows;
};
cudaError_t launch_ht_combine_pack(const HtCombinePackArgs& a, cudaStream_t stream);

// out[t] = round(sum over destination ranks d ascending of the row returned by d), fp32 accumulate.
struct HtCombineArgs {
  const int* token_pos;     // [T, N]
  const int* recv_counts;
  const void* reduced;      // this rank's own reduced rows (self_direct)
  const void* stage;        // [N][stage_rows] returned rows
  int tokens, world, local_experts, me, hidden, max_blocks;
  bool self_direct;
  int64_t stage_rows;
  Elt elt;
  void* out;                // [T, H]
};
cudaError_t launch_ht_combine(const HtCombineArgs& a, cudaStream_t stream);

// LL dispatch: one row per (token, expert) pair into the expert-major layout.
struct LlDispatchArgs {
  const void* x;
  const float* scales;
  const int64_t* topk_idx;
  int tokens, topk, world, local_experts, me, capacity, row_bytes, scale_floats, max_blocks;
  bool self_direct;
  int* pair_slot;           // [T, K]
  int* count_msg;           // [N, L]
  int* recv_counts;         // [N, L] (row `me` written when self_direct)
  void* recv_x;             // [L, N*M] rows
  float* recv_scales;
  int* recv_src;            // [L, N*M]
  void* stage_x;            // [N, L, M] rows
  float* stage_scales;
  int* stage_src;           // [N, L, M]
  uint32_t* error_word;
};
cudaError_t launch_ll_dispatch(const LlDispatchArgs& a, cudaStream_t stream);

// LL experts over valid slots (identity/scale), or rounding precomputed fp32 outputs (swiglu).
struct LlExpertArgs {
  const void* x;
  const float* scales;
  const int* recv_counts;   // [N, L]
  int world, local_experts, experts, first_expert, capacity, hidden, max_blocks;
  Elt in, out;
  int scale_experts;
  const float* expert_y;    // swiglu: [L, N*M, H] fp32, else null
  void* y;                  // [L, N*M, H]
};
cudaError_t launch_ll_experts(const LlExpertArgs& a, cudaStream_t stream);

// out[t] = round(sum over k ascending of w[t,k] * y(expert k, slot)), fp32 accumulate.
struct LlCombineArgs {
  const int64_t* topk_idx;
  const float* topk_w;
  const int* pair_slot;
  const void* y;            // own experts' outputs [L, N*M, H]
  const void* stage;        // [N, L, M] returned rows
  int tokens, topk, world, local_experts, me, capacity, hidden, max_blocks;
  bool self_direct;
  Elt elt;
  void* out;
};
cudaError_t launch_ll_combine(const LlCombineArgs& a, cudaStream_t stream);

// swiglu helpers: dequantise rows to fp32, and a = silu(h1) * h3 element-wise.
cudaError_t launch_to_f32(const void* x, const float* scales, Elt in, int64_t rows, int hidden, float* out,
                          cudaStream_t stream);
cudaError_t launch_swiglu_act(const float* h1, const float* h3, int64_t n, float* a, cudaStream_t stream);

}  // namespace kernels
}  // namespace ep

#endif  // EP_KERNELS_LAUNCHERS_H
