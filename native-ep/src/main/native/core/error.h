// The calling thread's last error message, and helpers that set it and return a status.
#ifndef EP_CORE_ERROR_H
#define EP_CORE_ERROR_H

#include <cuda_runtime_api.h>

#include "ep/ep.h"

namespace ep {

// Formats the message (printf style) into the thread's slot and returns `status`.
ep_status fail(ep_status status, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
const char* last_error();

// Maps a CUDA error to EP_ERR_CUDA with the call's name.
ep_status cuda_fail(cudaError_t err, const char* what);

}  // namespace ep

#define EP_STRINGIFY2(x) #x
#define EP_STRINGIFY(x) EP_STRINGIFY2(x)
#ifndef EP_CUDA_ARCHS
#define EP_CUDA_ARCHS "unknown archs"
#endif

#define EP_CUDA_TRY(call)                                      \
  do {                                                         \
    cudaError_t ep_err_ = (call);                              \
    if (ep_err_ != cudaSuccess) return ::ep::cuda_fail(ep_err_, #call); \
  } while (0)

#define EP_TRY(call)                       \
  do {                                     \
    ep_status ep_st_ = (call);             \
    if (ep_st_ != EP_OK) return ep_st_;    \
  } while (0)

#endif  // EP_CORE_ERROR_H
