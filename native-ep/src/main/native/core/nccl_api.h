// NCCL loaded at run time with dlopen, so the library builds and loads with the CUDA toolkit alone.
// The few types we need are declared here with NCCL's ABI (stable since 2.18 for what we use).
#ifndef EP_CORE_NCCL_API_H
#define EP_CORE_NCCL_API_H

#include <cuda_runtime_api.h>
#include <stddef.h>

#include "ep/ep.h"

namespace ep {

typedef struct NcclComm* NcclCommT;
struct NcclUniqueId {
  char internal[EP_UNIQUE_ID_BYTES];
};

// ncclResult_t values we act on.
constexpr int kNcclSuccess = 0;
constexpr int kNcclInProgress = 7;
constexpr int kNcclInt8 = 0;
constexpr int kNcclInt32 = 2;
// Oldest NCCL accepted: non-blocking communicators with this config layout.
constexpr int kNcclMinVersion = 21800;

// ncclConfig_t as of NCCL 2.18 (NCCL reads `version` and fills newer fields with defaults).
struct NcclConfig {
  size_t size;
  unsigned int magic;
  unsigned int version;
  int blocking;
  int cgaClusterSize;
  int minCTAs;
  int maxCTAs;
  const char* netName;
  int splitShare;
};

struct NcclApi {
  int (*getVersion)(int*);
  const char* (*getErrorString)(int);
  const char* (*getLastError)(NcclCommT);
  int (*getUniqueId)(NcclUniqueId*);
  int (*commInitRankConfig)(NcclCommT*, int, NcclUniqueId, int, NcclConfig*);
  int (*commGetAsyncError)(NcclCommT, int*);
  int (*commAbort)(NcclCommT);
  int (*groupStart)();
  int (*groupEnd)();
  int (*send)(const void*, size_t, int, int, NcclCommT, cudaStream_t);
  int (*recv)(void*, size_t, int, int, NcclCommT, cudaStream_t);
  int version;
};

// Loads NCCL once per process; later calls return the same table (path ignored then).
ep_status nccl_load(const char* path, const NcclApi** out);
// The loaded table, or an EP_ERR_NCCL_MISSING status when ep_nccl_load has not succeeded.
ep_status nccl_get(const NcclApi** out);
// EP_ERR_NCCL with NCCL's message for `rc` and the call's name.
ep_status nccl_fail(const NcclApi& api, int rc, const char* what);

}  // namespace ep

#endif  // EP_CORE_NCCL_API_H
