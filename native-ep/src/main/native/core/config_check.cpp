// Host-side validation of a group configuration; every message names the field and what is allowed.
#include "config_check.h"

#include "error.h"

namespace ep {

ep_status check_config(const ep_group_config* c) {
  if (c == nullptr) return fail(EP_ERR_ARGUMENT, "config: is NULL");
  if (c->world_size < 1 || c->world_size > 1024)
    return fail(EP_ERR_ARGUMENT, "world_size = %d is not allowed: 1..1024", c->world_size);
  if (c->rank < 0 || c->rank >= c->world_size)
    return fail(EP_ERR_ARGUMENT, "rank = %d is not allowed: 0..%d", c->rank, c->world_size - 1);
  if (c->experts < 1 || c->experts % c->world_size != 0)
    return fail(EP_ERR_ARGUMENT, "experts = %d is not allowed: a positive multiple of world_size = %d", c->experts,
                c->world_size);
  if (c->experts / c->world_size > 12288)
    return fail(EP_ERR_ARGUMENT, "experts / world_size = %d is not allowed: at most 12288 local experts",
                c->experts / c->world_size);
  if (c->dtype != EP_DTYPE_BF16 && c->dtype != EP_DTYPE_FP32 && c->dtype != EP_DTYPE_FP8_E4M3)
    return fail(EP_ERR_ARGUMENT, "dtype = %d is not allowed: 0 (bf16), 1 (fp32), 2 (fp8-e4m3)", static_cast<int>(c->dtype));
  const int multiple = c->dtype == EP_DTYPE_FP8_E4M3 ? EP_FP8_SCALE_BLOCK : 8;
  if (c->hidden < 1 || c->hidden % multiple != 0)
    return fail(EP_ERR_ARGUMENT, "hidden = %d is not allowed: a positive multiple of %d for this dtype", c->hidden,
                multiple);
  if (c->topk < 1 || c->topk > EP_MAX_TOPK || c->topk > c->experts)
    return fail(EP_ERR_ARGUMENT, "topk = %d is not allowed: 1..min(%d, experts = %d)", c->topk, EP_MAX_TOPK, c->experts);
  if (c->max_tokens_per_rank < 1)
    return fail(EP_ERR_ARGUMENT, "max_tokens_per_rank = %d is not allowed: >= 1", c->max_tokens_per_rank);
  if (c->ll_max_tokens_per_rank < 0 || c->ll_max_tokens_per_rank > c->max_tokens_per_rank)
    return fail(EP_ERR_ARGUMENT, "ll_max_tokens_per_rank = %d is not allowed: 0..max_tokens_per_rank = %d",
                c->ll_max_tokens_per_rank, c->max_tokens_per_rank);
  if (static_cast<long>(c->ll_max_tokens_per_rank) * c->topk > 12288)
    return fail(EP_ERR_ARGUMENT, "ll_max_tokens_per_rank * topk = %ld is not allowed: at most 12288",
                static_cast<long>(c->ll_max_tokens_per_rank) * c->topk);
  if (c->alignment < 1) return fail(EP_ERR_ARGUMENT, "alignment = %d is not allowed: >= 1", c->alignment);
  if (c->sm_budget < 0) return fail(EP_ERR_ARGUMENT, "sm_budget = %d is not allowed: >= 0 (0 = all)", c->sm_budget);
  if (c->flags != 0 && c->flags != EP_FLAG_SELF_VIA_NCCL && c->flags != EP_FLAG_PEER_WINDOWS)
    return fail(EP_ERR_ARGUMENT, "flags = %d is not allowed: 0, EP_FLAG_SELF_VIA_NCCL (1) or EP_FLAG_PEER_WINDOWS (2)",
                c->flags);
  return EP_OK;
}

ep_status check_tokens_per_rank(const ep_group& g, int tokens, const int* tokens_per_rank) {
  if (tokens_per_rank == nullptr) return fail(EP_ERR_ARGUMENT, "tokens_per_rank: is NULL; need %d counts", g.cfg.world_size);
  for (int r = 0; r < g.cfg.world_size; ++r) {
    if (tokens_per_rank[r] < 0 || tokens_per_rank[r] > g.cfg.max_tokens_per_rank)
      return fail(EP_ERR_ARGUMENT, "tokens_per_rank[%d] = %d is not allowed: 0..max_tokens_per_rank = %d", r,
                  tokens_per_rank[r], g.cfg.max_tokens_per_rank);
  }
  if (tokens_per_rank[g.cfg.rank] != tokens)
    return fail(EP_ERR_ARGUMENT, "tokens_per_rank[%d] = %d is not allowed: must equal this rank's num_tokens = %d",
                g.cfg.rank, tokens_per_rank[g.cfg.rank], tokens);
  return EP_OK;
}

}  // namespace ep
