// The state behind an ep_group: configuration, the carved-up workspace, the communicator and the
// host-side facts of the last dispatch (token counts that size the worst-case transfers).
#ifndef EP_CORE_GROUP_H
#define EP_CORE_GROUP_H

#include <cuda_runtime_api.h>
#include <stdint.h>

#include <vector>

#include "cublas_api.h"
#include "ep/ep.h"
#include "kernels/launchers.h"
#include "nccl_api.h"

namespace ep {

// HT rows of one side, as carved from the workspace.
struct HtBuffers {
  kernels::HtRows rows;
  int64_t capacity = 0;
};

struct Workspace {
  // Inputs and outputs of a step.
  void* x;
  float* x_scales;
  int64_t* topk_idx;
  float* topk_w;
  void* combined;
  uint32_t* error_word;
  // Layout and counts.
  int* token_pos;
  int* tokens_per_rank;
  int* tokens_per_expert;
  int* count_msg;
  int* recv_counts;
  int* recv_prefix;
  int* recv_expert_counts;
  int* chunk_total;         // layout scratch [N, C]
  int* chunk_expert;        // layout scratch [C, E]
  // HT.
  HtBuffers recv, send_stage, recv_stage;
  void* reduced;
  void* combine_send;
  void* combine_recv;
  // LL.
  int* ll_pair_slot;
  int* ll_count_msg;
  int* ll_recv_counts;
  void* ll_recv_x;
  float* ll_recv_scales;
  int* ll_recv_src;
  void* ll_y;
  void* ll_stage_x;
  float* ll_stage_scales;
  int* ll_stage_src;
  void* ll_combine_stage;
  // Peer windows (EP_FLAG_PEER_WINDOWS). Parts marked "window" are written by peers.
  uint64_t* peer_bases;     // [N] every rank's workspace as mapped in this process
  uint64_t* epochs;         // [kPeerPhases] this rank's barrier counters
  uint64_t* flags;          // window [kPeerPhases, N]: rank s raises flags[phase][s]
  int* ht_matrix;           // window [N(source), N(destination)] token counts
  int* ht_counts;           // window [N(source), 1+L] rows and per-expert counts for this rank
  int* send_offset;         // [N] first row of this rank's rows in each destination
  uint32_t* ll_hits;        // [E, ceil(M/32)] per-expert token bitmasks (LL routing)
};

// The peer path's barriers, each with its own epoch: counts exchanged, rows delivered, expert
// outputs ready to be read.
enum PeerPhase { kPeerNotify = 0, kPeerDispatch = 1, kPeerCombine = 2, kPeerPhases = 3 };

// The rest of an op whose NCCL group was still being enqueued when it returned.
enum class Pending {
  kNone,       // nothing left
  kWait,       // nothing to queue, but the stream is not usable until NCCL is done
  kHtPack,     // HT dispatch after the count exchange: pack, rows, unpack
  kHtUnpack,   // HT dispatch after the rows: unpack
  kHtCombine,  // HT combine after the rows: the sum at home
  kLlCombine   // LL combine after the rows: the weighted sum at home
};

struct SwigluState {
  int intermediate = 0;
  const float* w1 = nullptr;
  const float* w3 = nullptr;
  const float* w2 = nullptr;
  float* scratch = nullptr;  // cudaMalloc'd on demand: X32, H1, H3, Y
  size_t scratch_bytes = 0;
  CublasHandle handle = nullptr;
};

}  // namespace ep

struct ep_group {
  ep_group_config cfg;
  int local_experts;
  int row_bytes;       // dispatch row
  int combine_bytes;   // combine row
  int scale_floats;    // fp8 scales per row, else 0
  int max_blocks;
  bool self_direct;
  bool peer;                 // EP_FLAG_PEER_WINDOWS: data moves through peers' workspaces
  bool peers_set = false;    // ep_group_set_peers done
  uint64_t peer_timeout_ns = 0;
  char* ws_base = nullptr;
  cudaStream_t stream;
  ep::Workspace ws;
  const ep::NcclApi* nccl = nullptr;
  ep::NcclCommT comm = nullptr;
  bool comm_ready = false;
  bool aborted = false;
  // Host facts of the last steps.
  int layout_tokens = -1;
  int ht_tokens = -1;
  std::vector<int> tokens_per_rank;
  int ll_tokens = -1;
  bool ht_experts_done = false;
  bool ll_experts_done = false;
  ep::SwigluState swiglu;
  // What an op that returned EP_IN_PROGRESS still has to queue once NCCL finished enqueueing.
  ep::Pending pending = ep::Pending::kNone;
};

namespace ep {

// Bytes of each workspace part, in carving order; the same function sizes and carves.
size_t carve(const ep_group_config& cfg, char* base, Workspace* ws);
kernels::Elt dispatch_elt(ep_dtype d);
kernels::Elt combine_elt(ep_dtype d);
// Whether this step needs NCCL at all (peers, or self rows forced through it); never in peer mode.
bool needs_comm(const ep_group& g);
// Offset of a workspace part, the same in every rank's window.
inline int64_t window_offset(const ep_group& g, const void* part) {
  return static_cast<const char*>(part) - g.ws_base;
}
// Ends an NCCL group: EP_OK, or EP_IN_PROGRESS while a non-blocking communicator is still
// enqueueing (nothing waits: the caller records what is left and returns).
ep_status nccl_group_end(ep_group& g, const char* what);
// EP_IN_PROGRESS with `rest` recorded, for an op that stops after an unfinished NCCL group.
ep_status defer(ep_group& g, Pending rest);
// Refuses an op while an earlier one still waits for NCCL.
ep_status check_not_pending(const ep_group& g);
// The NCCL path's continuations after an unfinished group (ht.cpp, ll.cpp).
ep_status ht_resume(ep_group& g, Pending rest);
ep_status ll_resume(ep_group& g, Pending rest);

}  // namespace ep

#endif  // EP_CORE_GROUP_H
