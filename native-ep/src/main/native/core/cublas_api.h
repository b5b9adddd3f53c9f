// cuBLAS loaded at run time (only swiglu needs it), so a machine without it still runs the rest.
#ifndef EP_CORE_CUBLAS_API_H
#define EP_CORE_CUBLAS_API_H

#include <cuda_runtime_api.h>

#include "ep/ep.h"

namespace ep {

typedef struct CublasContext* CublasHandle;
constexpr int kCublasOpN = 0;
constexpr int kCublasOpT = 1;

struct CublasApi {
  int (*create)(CublasHandle*);
  int (*destroy)(CublasHandle);
  int (*setStream)(CublasHandle, cudaStream_t);
  int (*sgemm)(CublasHandle, int, int, int, int, int, const float*, const float*, int, const float*, int, const float*,
               float*, int);
};

// Loads libcublas.so.13 (or .12) once per process.
ep_status cublas_load(const CublasApi** out);

}  // namespace ep

#endif  // EP_CORE_CUBLAS_API_H
