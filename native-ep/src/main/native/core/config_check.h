// Host-side checks run before any launch.
#ifndef EP_CORE_CONFIG_CHECK_H
#define EP_CORE_CONFIG_CHECK_H

#include "ep/ep.h"
#include "group.h"

namespace ep {

ep_status check_config(const ep_group_config* cfg);
ep_status check_tokens_per_rank(const ep_group& g, int tokens, const int* tokens_per_rank);

}  // namespace ep

#endif  // EP_CORE_CONFIG_CHECK_H
