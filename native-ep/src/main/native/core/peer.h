// The peer path: HT and LL steps whose rows move through the ranks' workspaces, mapped into each
// other (same host), with in-kernel barriers instead of NCCL. Host code only queues kernels.
#ifndef EP_CORE_PEER_H
#define EP_CORE_PEER_H

#include "ep/ep.h"
#include "group.h"

namespace ep {

// Refuses a step on a peer-path group whose windows are not set yet.
ep_status check_peers(const ep_group& g);
// HT: notify (counts to every window, barrier) unless cached, rows to every destination, barrier.
ep_status peer_ht_dispatch(ep_group& g, bool cached);
// HT: barrier (every rank's reduced rows written), then each token pulls and sums its rows.
ep_status peer_ht_combine(ep_group& g);
// LL: slots and counts to every window, rows to every expert's window, barrier.
ep_status peer_ll_dispatch(ep_group& g, int num_tokens);
// LL: barrier (every rank's expert outputs written), then the weighted pull.
ep_status peer_ll_combine(ep_group& g);

}  // namespace ep

#endif  // EP_CORE_PEER_H
