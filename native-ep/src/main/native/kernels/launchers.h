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
struct LayoutArgs {
  const int64_t* topk_idx;  // [T, K]
  int tokens, topk, world, experts, me;
  int* token_pos;           // [T, N]
  int* tokens_per_rank;     // [N]
  int* tokens_per_expert;   // [E]
  int* count_msg;           // [N, 1+L]: what this rank tells each destination
  int* self_counts;         // recv_counts row of this rank, or null when it travels through NCCL
  uint32_t* error_word;
};
cudaError_t launch_layout(const LayoutArgs& a, cudaStream_t stream);

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
