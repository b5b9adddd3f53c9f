// The local experts on the GPU: identity and scale as fused kernels, swiglu through cuBLAS.
#ifndef EP_CORE_EXPERTS_H
#define EP_CORE_EXPERTS_H

#include "ep/ep.h"
#include "group.h"

namespace ep {

ep_status run_ht_experts(ep_group& g, ep_expert_kind kind);
ep_status run_ll_experts(ep_group& g, ep_expert_kind kind);

}  // namespace ep

#endif  // EP_CORE_EXPERTS_H
