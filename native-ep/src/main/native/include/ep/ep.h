/*
 * native-ep public C API: expert-parallel dispatch/combine on one GPU per rank.
 *
 * C-style on purpose: no JNI types, no C++ exceptions, no templates. Every call returns an
 * ep_status; on failure ep_last_error() holds a message for the calling thread that names the
 * argument (or library) at fault and what was allowed. Arguments are checked on the host before
 * anything is launched, so a refused call has changed nothing.
 *
 * Memory: the caller owns the device workspace (ep_group_workspace_bytes tells how much) and the
 * stream; device pointers and streams travel as plain integers. NCCL is loaded at run time
 * (ep_nccl_load), never linked.
 */
#ifndef EP_EP_H
#define EP_EP_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define EP_API __attribute__((visibility("default")))
#else
#define EP_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ep_status {
  EP_OK = 0,
  EP_ERR_ARGUMENT = 1,      /* bad input; nothing was launched */
  EP_ERR_CUDA = 2,          /* a CUDA runtime call failed */
  EP_ERR_NCCL = 3,          /* an NCCL call failed (the communicator should be aborted) */
  EP_ERR_NCCL_MISSING = 4,  /* libnccl could not be loaded, or is too old */
  EP_ERR_STATE = 5,         /* call out of order (e.g. combine before dispatch, no communicator) */
  EP_ERR_CUBLAS = 6,        /* cuBLAS could not be loaded or failed */
  EP_ERR_DEVICE = 7,        /* a kernel reported bad data through the error word */
  EP_ERR_TIMEOUT = 8,       /* a wait for a peer ran out of time (EP_DEVERR_TIMEOUT in the error word) */
  EP_IN_PROGRESS = 9        /* not an error: the op's NCCL group is still being enqueued (first contact
                               with a peer); poll ep_group_comm_state until 0, then ep_group_resume
                               queues the rest of the op. No host thread waits meanwhile. */
} ep_status;

typedef enum ep_dtype { EP_DTYPE_BF16 = 0, EP_DTYPE_FP32 = 1, EP_DTYPE_FP8_E4M3 = 2 } ep_dtype;

typedef enum ep_expert_kind { EP_EXPERT_IDENTITY = 0, EP_EXPERT_SCALE = 1, EP_EXPERT_SWIGLU = 2 } ep_expert_kind;

/* Group flags. */
#define EP_FLAG_SELF_VIA_NCCL 1 /* send this rank's own rows through NCCL self send/recv too */
#define EP_FLAG_PEER_WINDOWS 2  /* rows move through the ranks' workspaces, mapped into each other
                                   (ep_group_set_peers): no NCCL, no staging */

/* Channels sharing one fp32 scale in fp8 rows. */
#define EP_FP8_SCALE_BLOCK 128
#define EP_MAX_TOPK 16
#define EP_UNIQUE_ID_BYTES 128
#define EP_IPC_HANDLE_BYTES 64

/* Device error word bits, set by kernels that find bad data (read with ep_group_error_word). */
#define EP_DEVERR_EXPERT_RANGE 1u
#define EP_DEVERR_DUPLICATE_EXPERT 2u
#define EP_DEVERR_LL_OVERFLOW 4u
#define EP_DEVERR_TIMEOUT 8u /* a wait for a peer ran out of its time budget (the generation must end) */

typedef struct ep_group_config {
  int world_size;             /* N */
  int rank;                   /* this rank, [0, N) */
  int experts;                /* E, multiple of N */
  int hidden;                 /* H; multiple of 128 for fp8, of 8 for bf16, of 4 for fp32 */
  int topk;                   /* K, 1..EP_MAX_TOPK */
  int max_tokens_per_rank;    /* HT capacity: largest T_r any rank may bring */
  int ll_max_tokens_per_rank; /* M, LL capacity (0: LL off) */
  int alignment;              /* per-expert HT receive counts rounded up to this */
  ep_dtype dtype;             /* dispatch dtype; combine runs in bf16 for fp8, else in dtype */
  int sm_budget;              /* most SMs a kernel spreads over (0: all) */
  int flags;                  /* EP_FLAG_* */
} ep_group_config;

typedef struct ep_group ep_group;

/* Message of the last failure on this thread (never NULL). */
EP_API const char* ep_last_error(void);
/* Library version, e.g. "native-ep 0.1.0 (CUDA 13000, sm_80 sm_90)". */
EP_API const char* ep_build_info(void);

/* Loads NCCL (path NULL: "libnccl.so.2"); fails when missing or older than 2.18.0. */
EP_API ep_status ep_nccl_load(const char* path, int* version_out);
EP_API ep_status ep_nccl_unique_id(uint8_t out[EP_UNIQUE_ID_BYTES]);

/* Bytes of device workspace a group with this config needs. */
EP_API ep_status ep_group_workspace_bytes(const ep_group_config* cfg, size_t* bytes_out);
/* Creates a group over caller-owned workspace and stream (cudaStream_t as integer). */
EP_API ep_status ep_group_create(const ep_group_config* cfg, uint64_t workspace, size_t workspace_bytes,
                                 uint64_t stream, ep_group** out);
/* Starts a non-blocking communicator (ncclCommInitRankConfig, blocking = 0). Completion is
 * observed with ep_group_comm_state; no thread waits here. */
EP_API ep_status ep_group_comm_init(ep_group* g, const uint8_t unique_id[EP_UNIQUE_ID_BYTES]);
/* ncclCommGetAsyncError: *state_out = 0 ready, 1 in progress, 2 failed (message in ep_last_error). */
EP_API ep_status ep_group_comm_state(ep_group* g, int* state_out);
/* Connects to every peer before the first step: one tiny grouped send/recv with each, on the
 * group's stream. EP_OK, or EP_IN_PROGRESS while NCCL still connects (poll ep_group_comm_state,
 * then ep_group_resume). */
EP_API ep_status ep_group_comm_warmup(ep_group* g);
/* Queues what an op that returned EP_IN_PROGRESS left (its kernels after the NCCL group) once the
 * communicator is ready again; EP_IN_PROGRESS while it is not, EP_OK when nothing was left. */
EP_API ep_status ep_group_resume(ep_group* g);
/* ncclCommAbort; safe more than once. */
EP_API ep_status ep_group_comm_abort(ep_group* g);
EP_API void ep_group_destroy(ep_group* g);

/* Peer windows (groups created with EP_FLAG_PEER_WINDOWS): bases[r] is rank r's workspace as
 * mapped into this process (CUDA IPC, or the pointer itself for ranks in this process); bases[rank]
 * is this group's own. Every rank's workspace has the same layout, so a part's offset is the same
 * in all of them. Clears this group's barrier flags and counters and waits for that (once per
 * generation), so call it before any peer can reach a step. timeout_ns bounds every in-kernel wait
 * for a peer: a wait that runs out sets EP_DEVERR_TIMEOUT and the step's kernels skip their waits. */
EP_API ep_status ep_group_set_peers(ep_group* g, const uint64_t* bases, int count, uint64_t timeout_ns);

/* CUDA IPC for peer windows between processes of one host: the handle of the allocation that
 * starts at base (cuMemAlloc/cudaMalloc, current device), its mapping in another process (peer
 * access enabled lazily when the exporter's GPU is another one), and the unmapping. */
EP_API ep_status ep_ipc_handle(uint64_t base, uint8_t out[EP_IPC_HANDLE_BYTES]);
EP_API ep_status ep_ipc_open(const uint8_t handle[EP_IPC_HANDLE_BYTES], uint64_t* base_out);
EP_API ep_status ep_ipc_close(uint64_t base);

/* Device addresses of the group's input/output tensors, inside the workspace. */
typedef struct ep_group_buffers {
  uint64_t x;           /* [max_tokens, H] dispatch dtype */
  uint64_t x_scales;    /* [max_tokens, H/128] fp32 (fp8 only) */
  uint64_t topk_idx;    /* [max_tokens, K] int64 */
  uint64_t topk_weights;/* [max_tokens, K] fp32 */
  uint64_t combined;    /* [max_tokens, H] combine dtype */
  uint64_t error_word;  /* uint32 */
} ep_group_buffers;
EP_API ep_status ep_group_buffers_get(const ep_group* g, ep_group_buffers* out);

/* Layout of the tokens in x/topk_idx: tokens_per_rank [N], tokens_per_expert [E], token_in_rank
 * [T, N] (as positions: -1 or the token's index among the tokens sent to that rank). */
EP_API ep_status ep_layout(ep_group* g, int num_tokens);

/* HT dispatch. tokens_per_rank[N] (host) are every rank's token counts this step; they size the
 * NCCL transfers for the worst case, so the host never waits for real counts. */
EP_API ep_status ep_ht_dispatch(ep_group* g, int num_tokens, const int* tokens_per_rank);
/* HT dispatch that reuses the last layout and counts (same routing, new x). */
EP_API ep_status ep_ht_dispatch_cached(ep_group* g);
/* Local experts over the received rows, reduced per row weighted by the received weights. */
EP_API ep_status ep_ht_experts(ep_group* g, ep_expert_kind kind);
/* HT combine: rows go home and are summed in ascending source rank, fp32 accumulation. */
EP_API ep_status ep_ht_combine(ep_group* g);

/* LL dispatch / experts / combine (weighted by topk_weights at home). */
EP_API ep_status ep_ll_dispatch(ep_group* g, int num_tokens);
EP_API ep_status ep_ll_experts(ep_group* g, ep_expert_kind kind);
EP_API ep_status ep_ll_combine(ep_group* g);

/* swiglu weights for the local experts, device fp32: w1, w3 [L, I, H], w2 [L, H, I]. */
EP_API ep_status ep_group_set_swiglu(ep_group* g, int intermediate, uint64_t w1, uint64_t w3, uint64_t w2);

/* Received-side buffers of the last dispatches (device addresses), for checks and the handle. */
typedef struct ep_dispatch_view {
  uint64_t recv_x;             /* HT: [rows, H] compact rows grouped by source rank */
  uint64_t recv_scales;        /* HT fp8 scales [rows, H/128] */
  uint64_t recv_topk_idx;      /* HT: [rows, K] int32 local ids or -1 */
  uint64_t recv_topk_weights;  /* HT: [rows, K] fp32, 0 where the id is -1 */
  uint64_t recv_src;           /* HT: [rows, 2] int32 (source rank, source token) */
  uint64_t recv_counts;        /* HT: [N, 1+L] int32 per source: rows, then per local expert */
  uint64_t recv_expert_counts; /* HT: [L] int32 totals rounded up to the alignment */
  uint64_t reduced;            /* HT: [rows, H] local expert reduce (combine dtype) */
  uint64_t tokens_per_rank;    /* [N] int32 (layout) */
  uint64_t tokens_per_expert;  /* [E] int32 (layout) */
  uint64_t token_pos;          /* [T, N] int32 (layout): index among tokens sent to that rank, or -1 */
  uint64_t ll_recv_x;          /* LL: [L, N*M, H] */
  uint64_t ll_recv_scales;     /* LL fp8 scales [L, N*M, H/128] */
  uint64_t ll_recv_src;        /* LL: [L, N*M] int32 source token (valid below the counts) */
  uint64_t ll_recv_counts;     /* LL: [N, L] int32 tokens each source sent each local expert */
  uint64_t ll_y;               /* LL: [L, N*M, H] expert outputs (combine dtype) */
  int64_t row_capacity;        /* HT rows the receive buffers hold */
} ep_dispatch_view;
EP_API ep_status ep_group_view(const ep_group* g, ep_dispatch_view* out);

/* Queues a host function after the work queued so far on the group's stream. The function must
 * not call CUDA; it runs on a driver thread. */
typedef void (*ep_host_fn)(void* user);
EP_API ep_status ep_stream_add_host_fn(uint64_t stream, ep_host_fn fn, void* user);

/* Holds the stream for about ns nanoseconds on the GPU (one thread that sleeps). Benchmarks queue
 * their work behind it, so the host's launch time stays out of the region they time. */
EP_API ep_status ep_stream_delay(uint64_t stream, uint64_t ns);

#ifdef __cplusplus
}
#endif

#endif /* EP_EP_H */
