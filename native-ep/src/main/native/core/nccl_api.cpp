#include "nccl_api.h"

#include <dlfcn.h>
#include <limits.h>

#include <mutex>

#include "error.h"

namespace ep {
namespace {

std::mutex g_mutex;
NcclApi g_api{};
bool g_loaded = false;

template <typename F>
bool bind(void* lib, const char* name, F* slot) {
  *slot = reinterpret_cast<F>(dlsym(lib, name));
  return *slot != nullptr;
}

}  // namespace

ep_status nccl_load(const char* path, const NcclApi** out) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_loaded) {
    *out = &g_api;
    return EP_OK;
  }
  const char* name = (path != nullptr && path[0] != '\0') ? path : "libnccl.so.2";
  void* lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    return fail(EP_ERR_NCCL_MISSING, "NCCL library %s could not be loaded (%s); need NCCL >= 2.18.0 "
                "(set ep.nccl-library / EP_NCCL_LIBRARY to its path)", name, dlerror());
  }
  NcclApi api{};
  const bool ok = bind(lib, "ncclGetVersion", &api.getVersion) && bind(lib, "ncclGetErrorString", &api.getErrorString) &&
                  bind(lib, "ncclGetUniqueId", &api.getUniqueId) &&
                  bind(lib, "ncclCommInitRankConfig", &api.commInitRankConfig) &&
                  bind(lib, "ncclCommGetAsyncError", &api.commGetAsyncError) && bind(lib, "ncclCommAbort", &api.commAbort) &&
                  bind(lib, "ncclGroupStart", &api.groupStart) && bind(lib, "ncclGroupEnd", &api.groupEnd) &&
                  bind(lib, "ncclSend", &api.send) && bind(lib, "ncclRecv", &api.recv);
  if (!ok) {
    dlclose(lib);
    return fail(EP_ERR_NCCL_MISSING, "NCCL library %s lacks a symbol we need (%s); need NCCL >= 2.18.0", name, dlerror());
  }
  bind(lib, "ncclGetLastError", &api.getLastError);  // optional (2.13+)
  int version = 0;
  api.getVersion(&version);
  if (version < kNcclMinVersion) {
    dlclose(lib);
    return fail(EP_ERR_NCCL_MISSING, "NCCL library %s is version %d.%d.%d; need >= 2.18.0", name, version / 10000,
                (version / 100) % 100, version % 100);
  }
  api.version = version;
  g_api = api;
  g_loaded = true;
  *out = &g_api;
  return EP_OK;
}

ep_status nccl_get(const NcclApi** out) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_loaded) return fail(EP_ERR_NCCL_MISSING, "NCCL is not loaded: call ep_nccl_load first");
  *out = &g_api;
  return EP_OK;
}

ep_status nccl_fail(const NcclApi& api, int rc, const char* what) {
  return fail(EP_ERR_NCCL, "NCCL error %d (%s) in %s", rc, api.getErrorString(rc), what);
}

}  // namespace ep
