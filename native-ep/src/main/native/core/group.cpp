// Group lifecycle: create over a caller-owned workspace, communicator start/state/abort, destroy.
#include "group.h"

#include <string.h>

#include <new>

#include "config_check.h"
#include "error.h"

namespace ep {

bool needs_comm(const ep_group& g) { return !g.peer && (g.cfg.world_size > 1 || !g.self_direct); }

ep_status nccl_group_end(ep_group& g, const char* what) {
  int rc = g.nccl->groupEnd();
  if (rc == kNcclSuccess) return EP_OK;
  if (rc == kNcclInProgress) return EP_IN_PROGRESS;
  return nccl_fail(*g.nccl, rc, what);
}

ep_status defer(ep_group& g, Pending rest) {
  g.pending = rest;
  return EP_IN_PROGRESS;
}

ep_status check_not_pending(const ep_group& g) {
  if (g.pending != Pending::kNone)
    return fail(EP_ERR_STATE, "an earlier op still waits for NCCL: poll ep_group_comm_state, then ep_group_resume");
  return EP_OK;
}

}  // namespace ep

using ep::fail;

extern "C" {

EP_API const char* ep_last_error(void) { return ep::last_error(); }

EP_API const char* ep_build_info(void) {
  return "native-ep 0.1.0 (CUDA " EP_STRINGIFY(CUDART_VERSION) ", " EP_CUDA_ARCHS ")";
}

EP_API ep_status ep_nccl_load(const char* path, int* version_out) {
  const ep::NcclApi* api = nullptr;
  EP_TRY(ep::nccl_load(path, &api));
  if (version_out != nullptr) *version_out = api->version;
  return EP_OK;
}

EP_API ep_status ep_nccl_unique_id(uint8_t out[EP_UNIQUE_ID_BYTES]) {
  if (out == nullptr) return fail(EP_ERR_ARGUMENT, "out: is NULL; need %d bytes", EP_UNIQUE_ID_BYTES);
  const ep::NcclApi* api = nullptr;
  EP_TRY(ep::nccl_get(&api));
  ep::NcclUniqueId id;
  int rc = api->getUniqueId(&id);
  if (rc != ep::kNcclSuccess) return ep::nccl_fail(*api, rc, "ncclGetUniqueId");
  memcpy(out, id.internal, EP_UNIQUE_ID_BYTES);
  return EP_OK;
}

EP_API ep_status ep_group_workspace_bytes(const ep_group_config* cfg, size_t* bytes_out) {
  EP_TRY(ep::check_config(cfg));
  if (bytes_out == nullptr) return fail(EP_ERR_ARGUMENT, "bytes_out: is NULL");
  *bytes_out = ep::carve(*cfg, nullptr, nullptr);
  return EP_OK;
}

EP_API ep_status ep_group_create(const ep_group_config* cfg, uint64_t workspace, size_t workspace_bytes,
                                 uint64_t stream, ep_group** out) {
  EP_TRY(ep::check_config(cfg));
  if (out == nullptr) return fail(EP_ERR_ARGUMENT, "out: is NULL");
  const size_t need = ep::carve(*cfg, nullptr, nullptr);
  if (workspace == 0 || workspace % 256 != 0)
    return fail(EP_ERR_ARGUMENT, "workspace = 0x%llx is not allowed: a device pointer aligned to 256 bytes",
                static_cast<unsigned long long>(workspace));
  if (workspace_bytes < need)
    return fail(EP_ERR_ARGUMENT, "workspace_bytes = %zu is not allowed: >= %zu for this config", workspace_bytes, need);
  ep_group* g = new (std::nothrow) ep_group();
  if (g == nullptr) return fail(EP_ERR_ARGUMENT, "out of host memory for the group");
  g->cfg = *cfg;
  g->local_experts = cfg->experts / cfg->world_size;
  const int elt = cfg->dtype == EP_DTYPE_BF16 ? 2 : cfg->dtype == EP_DTYPE_FP32 ? 4 : 1;
  g->row_bytes = cfg->hidden * elt;
  g->combine_bytes = cfg->hidden * (cfg->dtype == EP_DTYPE_FP32 ? 4 : 2);
  g->scale_floats = cfg->dtype == EP_DTYPE_FP8_E4M3 ? cfg->hidden / EP_FP8_SCALE_BLOCK : 0;
  g->max_blocks = cfg->sm_budget * 8;
  g->self_direct = (cfg->flags & EP_FLAG_SELF_VIA_NCCL) == 0;
  g->peer = (cfg->flags & EP_FLAG_PEER_WINDOWS) != 0;
  g->ws_base = reinterpret_cast<char*>(workspace);
  g->stream = reinterpret_cast<cudaStream_t>(stream);
  g->tokens_per_rank.assign(cfg->world_size, 0);
  ep::carve(*cfg, reinterpret_cast<char*>(workspace), &g->ws);
  cudaError_t err = cudaMemsetAsync(g->ws.error_word, 0, 4, g->stream);
  if (err != cudaSuccess) {
    delete g;
    return ep::cuda_fail(err, "cudaMemsetAsync(error_word)");
  }
  *out = g;
  return EP_OK;
}

EP_API ep_status ep_group_comm_init(ep_group* g, const uint8_t unique_id[EP_UNIQUE_ID_BYTES]) {
  if (g == nullptr) return fail(EP_ERR_ARGUMENT, "group: is NULL");
  if (unique_id == nullptr) return fail(EP_ERR_ARGUMENT, "unique_id: is NULL; need %d bytes", EP_UNIQUE_ID_BYTES);
  if (g->comm != nullptr) return fail(EP_ERR_STATE, "the group already has a communicator; abort it first");
  EP_TRY(ep::nccl_get(&g->nccl));
  ep::NcclUniqueId id;
  memcpy(id.internal, unique_id, EP_UNIQUE_ID_BYTES);
  ep::NcclConfig config{};
  config.size = sizeof(config);
  config.magic = 0xcafebeef;
  config.version = ep::kNcclMinVersion;
  config.blocking = 0;
  config.cgaClusterSize = INT32_MIN;
  config.minCTAs = INT32_MIN;
  config.maxCTAs = INT32_MIN;
  config.netName = nullptr;
  config.splitShare = INT32_MIN;
  int rc = g->nccl->commInitRankConfig(&g->comm, g->cfg.world_size, id, g->cfg.rank, &config);
  if (rc != ep::kNcclSuccess && rc != ep::kNcclInProgress) {
    g->comm = nullptr;
    return ep::nccl_fail(*g->nccl, rc, "ncclCommInitRankConfig");
  }
  g->aborted = false;
  return EP_OK;
}

EP_API ep_status ep_group_comm_state(ep_group* g, int* state_out) {
  if (g == nullptr || state_out == nullptr) return fail(EP_ERR_ARGUMENT, "group/state_out: is NULL");
  if (g->comm == nullptr) return fail(EP_ERR_STATE, "the group has no communicator (ep_group_comm_init first)");
  int state = ep::kNcclSuccess;
  int rc = g->nccl->commGetAsyncError(g->comm, &state);
  if (rc != ep::kNcclSuccess) return ep::nccl_fail(*g->nccl, rc, "ncclCommGetAsyncError");
  if (state == ep::kNcclSuccess) {
    g->comm_ready = true;
    *state_out = 0;
  } else if (state == ep::kNcclInProgress) {
    *state_out = 1;
  } else {
    *state_out = 2;
    const char* detail = g->nccl->getLastError != nullptr ? g->nccl->getLastError(g->comm) : "";
    fail(EP_ERR_NCCL, "communicator failed: NCCL error %d (%s) %s", state, g->nccl->getErrorString(state), detail);
  }
  return EP_OK;
}

EP_API ep_status ep_group_comm_warmup(ep_group* g) {
  if (g == nullptr) return fail(EP_ERR_ARGUMENT, "group: is NULL");
  if (g->comm == nullptr || !g->comm_ready) return fail(EP_ERR_STATE, "the communicator is not ready (ep_group_comm_state != 0)");
  EP_TRY(ep::check_not_pending(*g));
  // One int to and from every peer (the count scratch, overwritten by the first dispatch).
  const ep::NcclApi& n = *g->nccl;
  int rc = n.groupStart();
  for (int p = 0; p < g->cfg.world_size && rc == ep::kNcclSuccess; ++p) {
    if (p == g->cfg.rank && g->self_direct) continue;
    rc = n.send(g->ws.count_msg + p, 1, ep::kNcclInt32, p, g->comm, g->stream);
    if (rc == ep::kNcclSuccess) rc = n.recv(g->ws.recv_counts + p, 1, ep::kNcclInt32, p, g->comm, g->stream);
  }
  if (rc != ep::kNcclSuccess) {
    n.groupEnd();
    return ep::nccl_fail(n, rc, "warm-up exchange");
  }
  ep_status st = ep::nccl_group_end(*g, "warm-up exchange");
  return st == EP_IN_PROGRESS ? ep::defer(*g, ep::Pending::kWait) : st;
}

EP_API ep_status ep_group_resume(ep_group* g) {
  if (g == nullptr) return fail(EP_ERR_ARGUMENT, "group: is NULL");
  if (g->pending == ep::Pending::kNone) return EP_OK;
  if (g->comm == nullptr) return fail(EP_ERR_STATE, "the communicator was aborted; join a new world");
  int state = ep::kNcclSuccess;
  int rc = g->nccl->commGetAsyncError(g->comm, &state);
  if (rc != ep::kNcclSuccess) return ep::nccl_fail(*g->nccl, rc, "ncclCommGetAsyncError");
  if (state == ep::kNcclInProgress) return EP_IN_PROGRESS;
  if (state != ep::kNcclSuccess) return ep::nccl_fail(*g->nccl, state, "the NCCL group being enqueued");
  const ep::Pending rest = g->pending;
  g->pending = ep::Pending::kNone;
  switch (rest) {
    case ep::Pending::kHtPack:
    case ep::Pending::kHtUnpack:
    case ep::Pending::kHtCombine:
      return ep::ht_resume(*g, rest);
    case ep::Pending::kLlCombine:
      return ep::ll_resume(*g, rest);
    default:
      return EP_OK;
  }
}

EP_API ep_status ep_group_comm_abort(ep_group* g) {
  if (g == nullptr) return fail(EP_ERR_ARGUMENT, "group: is NULL");
  if (g->comm == nullptr) return EP_OK;
  int rc = g->nccl->commAbort(g->comm);
  g->pending = ep::Pending::kNone;
  g->comm = nullptr;
  g->comm_ready = false;
  g->aborted = true;
  if (rc != ep::kNcclSuccess && rc != ep::kNcclInProgress) return ep::nccl_fail(*g->nccl, rc, "ncclCommAbort");
  return EP_OK;
}

EP_API void ep_group_destroy(ep_group* g) {
  if (g == nullptr) return;
  ep_group_comm_abort(g);
  if (g->swiglu.handle != nullptr) {
    const ep::CublasApi* api = nullptr;
    if (ep::cublas_load(&api) == EP_OK) api->destroy(g->swiglu.handle);
  }
  if (g->swiglu.scratch != nullptr) cudaFree(g->swiglu.scratch);
  delete g;
}

EP_API ep_status ep_group_buffers_get(const ep_group* g, ep_group_buffers* out) {
  if (g == nullptr || out == nullptr) return fail(EP_ERR_ARGUMENT, "group/out: is NULL");
  out->x = reinterpret_cast<uint64_t>(g->ws.x);
  out->x_scales = reinterpret_cast<uint64_t>(g->ws.x_scales);
  out->topk_idx = reinterpret_cast<uint64_t>(g->ws.topk_idx);
  out->topk_weights = reinterpret_cast<uint64_t>(g->ws.topk_w);
  out->combined = reinterpret_cast<uint64_t>(g->ws.combined);
  out->error_word = reinterpret_cast<uint64_t>(g->ws.error_word);
  return EP_OK;
}

EP_API ep_status ep_stream_delay(uint64_t stream, uint64_t ns) {
  EP_CUDA_TRY(ep::kernels::launch_delay(ns, reinterpret_cast<cudaStream_t>(stream)));
  return EP_OK;
}

EP_API ep_status ep_stream_add_host_fn(uint64_t stream, ep_host_fn fn, void* user) {
  if (fn == nullptr) return fail(EP_ERR_ARGUMENT, "fn: is NULL");
  EP_CUDA_TRY(cudaLaunchHostFunc(reinterpret_cast<cudaStream_t>(stream), fn, user));
  return EP_OK;
}

}  // extern "C"
