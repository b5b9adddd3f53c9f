#include "error.h"

#include <stdarg.h>
#include <stdio.h>

namespace ep {
namespace {
thread_local char g_message[1024] = "no error";
}

ep_status fail(ep_status status, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vsnprintf(g_message, sizeof(g_message), fmt, args);
  va_end(args);
  return status;
}

const char* last_error() { return g_message; }

ep_status cuda_fail(cudaError_t err, const char* what) {
  return fail(EP_ERR_CUDA, "CUDA error %d (%s: %s) in %s", static_cast<int>(err), cudaGetErrorName(err),
              cudaGetErrorString(err), what);
}

}  // namespace ep
