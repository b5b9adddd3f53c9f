#include "experts.h"

#include "error.h"

namespace ep {
namespace {

ep_status check_kind(ep_expert_kind kind) {
  if (kind != EP_EXPERT_IDENTITY && kind != EP_EXPERT_SCALE && kind != EP_EXPERT_SWIGLU)
    return fail(EP_ERR_ARGUMENT, "kind = %d is not allowed: 0 (identity), 1 (scale), 2 (swiglu)", static_cast<int>(kind));
  return EP_OK;
}

// Runs y_l = W2_l (silu(W1_l x) * (W3_l x)) for each local expert l over `cols` fp32 rows per expert
// (x_stride_rows apart between experts; 0 = the same rows for every expert). Writes fp32 outputs
// [L, cols, H] into the scratch and returns them.
ep_status swiglu_gemms(ep_group& g, const void* x, const float* scales, int64_t x_rows, int64_t cols,
                       int64_t x_stride_rows, const float** y_out) {
  SwigluState& s = g.swiglu;
  if (s.w1 == nullptr) return fail(EP_ERR_STATE, "expert-kernel = swiglu needs ep_group_set_swiglu first");
  const CublasApi* blas = nullptr;
  EP_TRY(cublas_load(&blas));
  if (s.handle == nullptr && blas->create(&s.handle) != 0) return fail(EP_ERR_CUBLAS, "cublasCreate failed");
  if (blas->setStream(s.handle, g.stream) != 0) return fail(EP_ERR_CUBLAS, "cublasSetStream failed");
  const int64_t h = g.cfg.hidden;
  const int64_t i = s.intermediate;
  const int64_t l = g.local_experts;
  const size_t need = sizeof(float) * static_cast<size_t>(x_rows * h + 3 * i * cols + l * cols * h);
  if (s.scratch_bytes < need) {
    if (s.scratch != nullptr) {
      EP_CUDA_TRY(cudaStreamSynchronize(g.stream));
      EP_CUDA_TRY(cudaFree(s.scratch));
      s.scratch = nullptr;
      s.scratch_bytes = 0;
    }
    EP_CUDA_TRY(cudaMalloc(reinterpret_cast<void**>(&s.scratch), need));
    s.scratch_bytes = need;
  }
  float* x32 = s.scratch;
  float* h1 = x32 + x_rows * h;
  float* h3 = h1 + i * cols;
  float* act = h3 + i * cols;
  float* y = act + i * cols;
  EP_CUDA_TRY(kernels::launch_to_f32(x, scales, dispatch_elt(g.cfg.dtype), x_rows, g.cfg.hidden, x32, g.stream));
  const float one = 1.0f;
  const float zero = 0.0f;
  for (int64_t e = 0; e < l; ++e) {
    const float* xe = x32 + e * x_stride_rows * h;
    // Column-major views: X is [H, cols], W1/W3 are [H, I] (row-major [I, H]), W2 is [I, H].
    const float* w1 = s.w1 + e * i * h;
    const float* w3 = s.w3 + e * i * h;
    const float* w2 = s.w2 + e * h * i;
    int rc = blas->sgemm(s.handle, kCublasOpT, kCublasOpN, i, cols, h, &one, w1, h, xe, h, &zero, h1, i);
    if (rc == 0) rc = blas->sgemm(s.handle, kCublasOpT, kCublasOpN, i, cols, h, &one, w3, h, xe, h, &zero, h3, i);
    if (rc != 0) return fail(EP_ERR_CUBLAS, "cublasSgemm (W1/W3, expert %lld) failed: %d", static_cast<long long>(e), rc);
    EP_CUDA_TRY(kernels::launch_swiglu_act(h1, h3, i * cols, act, g.stream));
    rc = blas->sgemm(s.handle, kCublasOpT, kCublasOpN, h, cols, i, &one, w2, i, act, i, &zero, y + e * cols * h, h);
    if (rc != 0) return fail(EP_ERR_CUBLAS, "cublasSgemm (W2, expert %lld) failed: %d", static_cast<long long>(e), rc);
  }
  *y_out = y;
  return EP_OK;
}

int64_t ht_row_capacity(const ep_group& g) {
  int64_t rows = 0;
  for (int r : g.tokens_per_rank) rows += r;
  return rows;
}

}  // namespace

ep_status run_ht_experts(ep_group& g, ep_expert_kind kind) {
  EP_TRY(check_kind(kind));
  const Workspace& w = g.ws;
  kernels::HtExpertArgs a{};
  a.row_capacity = ht_row_capacity(g);
  if (kind == EP_EXPERT_SWIGLU) {
    EP_TRY(swiglu_gemms(g, w.recv.rows.x, w.recv.rows.scales, a.row_capacity, a.row_capacity, 0, &a.expert_y));
  }
  a.x = w.recv.rows.x;
  a.scales = g.scale_floats > 0 ? w.recv.rows.scales : nullptr;
  a.idx = w.recv.rows.idx;
  a.w = w.recv.rows.w;
  a.recv_counts = w.recv_counts;
  a.world = g.cfg.world_size;
  a.topk = g.cfg.topk;
  a.local_experts = g.local_experts;
  a.experts = g.cfg.experts;
  a.first_expert = g.cfg.rank * g.local_experts;
  a.hidden = g.cfg.hidden;
  a.max_blocks = g.max_blocks;
  a.in = dispatch_elt(g.cfg.dtype);
  a.out = combine_elt(g.cfg.dtype);
  a.scale_experts = kind == EP_EXPERT_SCALE ? 1 : 0;
  a.reduced = w.reduced;
  EP_CUDA_TRY(kernels::launch_ht_experts(a, g.stream));
  return EP_OK;
}

ep_status run_ll_experts(ep_group& g, ep_expert_kind kind) {
  EP_TRY(check_kind(kind));
  const Workspace& w = g.ws;
  kernels::LlExpertArgs a{};
  const int64_t slots = static_cast<int64_t>(g.cfg.world_size) * g.cfg.ll_max_tokens_per_rank;
  if (kind == EP_EXPERT_SWIGLU) {
    EP_TRY(swiglu_gemms(g, w.ll_recv_x, w.ll_recv_scales, g.local_experts * slots, slots, slots, &a.expert_y));
  }
  a.x = w.ll_recv_x;
  a.scales = g.scale_floats > 0 ? w.ll_recv_scales : nullptr;
  a.recv_counts = w.ll_recv_counts;
  a.world = g.cfg.world_size;
  a.local_experts = g.local_experts;
  a.experts = g.cfg.experts;
  a.first_expert = g.cfg.rank * g.local_experts;
  a.capacity = g.cfg.ll_max_tokens_per_rank;
  a.hidden = g.cfg.hidden;
  a.max_blocks = g.max_blocks;
  a.in = dispatch_elt(g.cfg.dtype);
  a.out = combine_elt(g.cfg.dtype);
  a.scale_experts = kind == EP_EXPERT_SCALE ? 1 : 0;
  a.y = w.ll_y;
  EP_CUDA_TRY(kernels::launch_ll_experts(a, g.stream));
  return EP_OK;
}

}  // namespace ep

extern "C" EP_API ep_status ep_group_set_swiglu(ep_group* g, int intermediate, uint64_t w1, uint64_t w3, uint64_t w2) {
  if (g == nullptr) return ep::fail(EP_ERR_ARGUMENT, "group: is NULL");
  if (intermediate < 1) return ep::fail(EP_ERR_ARGUMENT, "intermediate = %d is not allowed: >= 1", intermediate);
  if (w1 == 0 || w3 == 0 || w2 == 0) return ep::fail(EP_ERR_ARGUMENT, "w1/w3/w2: device pointers must not be 0");
  g->swiglu.intermediate = intermediate;
  g->swiglu.w1 = reinterpret_cast<const float*>(w1);
  g->swiglu.w3 = reinterpret_cast<const float*>(w3);
  g->swiglu.w2 = reinterpret_cast<const float*>(w2);
  return EP_OK;
}
