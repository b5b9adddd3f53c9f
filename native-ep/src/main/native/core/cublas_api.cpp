#include "cublas_api.h"

#include <dlfcn.h>

#include <mutex>

#include "error.h"

namespace ep {
namespace {
std::mutex g_mutex;
CublasApi g_api{};
bool g_loaded = false;
}  // namespace

ep_status cublas_load(const CublasApi** out) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_loaded) {
    void* lib = dlopen("libcublas.so.13", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) lib = dlopen("libcublas.so.12", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      return fail(EP_ERR_CUBLAS, "cuBLAS (libcublas.so.13 or .12) could not be loaded for expert-kernel = swiglu: %s",
                  dlerror());
    }
    g_api.create = reinterpret_cast<decltype(g_api.create)>(dlsym(lib, "cublasCreate_v2"));
    g_api.destroy = reinterpret_cast<decltype(g_api.destroy)>(dlsym(lib, "cublasDestroy_v2"));
    g_api.setStream = reinterpret_cast<decltype(g_api.setStream)>(dlsym(lib, "cublasSetStream_v2"));
    g_api.sgemm = reinterpret_cast<decltype(g_api.sgemm)>(dlsym(lib, "cublasSgemm_v2"));
    if (!g_api.create || !g_api.destroy || !g_api.setStream || !g_api.sgemm) {
      return fail(EP_ERR_CUBLAS, "cuBLAS lacks cublasCreate_v2/cublasSgemm_v2");
    }
    g_loaded = true;
  }
  *out = &g_api;
  return EP_OK;
}

}  // namespace ep
