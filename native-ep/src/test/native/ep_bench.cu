// Native benchmark and sanity check for native-ep on one GPU (world size 1), nccl-tests style:
// warm-up, many iterations, L2 flushed before each timed op, CUDA-event times, median; the same
// bytes copied device-to-device as the memory ceiling. Prints one JSON object on stdout.
//
//   ep_bench [--tokens 4096] [--ll-tokens 128] [--hidden 7168] [--topk 8] [--experts 256]
//            [--iters 50] [--warmup 5] [--nccl /path/libnccl.so.2]
// With --nccl, a world-1 communicator is created from a fresh unique id and a second group sends
// its own rows through NCCL self send/recv (EP_FLAG_SELF_VIA_NCCL); its times are reported too.
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "ep/ep.h"

#define CK(call)                                                                             \
  do {                                                                                       \
    cudaError_t e_ = (call);                                                                 \
    if (e_ != cudaSuccess) {                                                                 \
      fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_)); \
      exit(2);                                                                               \
    }                                                                                        \
  } while (0)
#define EK(call)                                                                          \
  do {                                                                                    \
    ep_status s_ = (call);                                                                \
    if (s_ != EP_OK) {                                                                    \
      fprintf(stderr, "%s:%d %s: status %d: %s\n", __FILE__, __LINE__, #call, s_, ep_last_error()); \
      exit(3);                                                                            \
    }                                                                                     \
  } while (0)

namespace {

// A nonblocking communicator may still be enqueuing an op's NCCL group (EP_IN_PROGRESS): finish it
// the way a rank does, by resuming once NCCL is ready, before the op counts as queued.
void settle(ep_group* g, ep_status s, const char* what) {
  const timespec tick{0, 100 * 1000};
  for (int i = 0; s == EP_IN_PROGRESS && i < 200000; ++i) {
    nanosleep(&tick, nullptr);
    s = ep_group_resume(g);
  }
  if (s != EP_OK) {
    fprintf(stderr, "%s: status %d: %s\n", what, s, ep_last_error());
    exit(3);
  }
}
#define EOP(g, call) settle((g), (call), #call)

// The JSON is collected here and written at the end, so NCCL's own stdout lines never mix into it.
std::string g_json;
void out(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void out(const char* fmt, ...) {
  char buf[4096];
  va_list args;
  va_start(args, fmt);
  vsnprintf(buf, sizeof(buf), fmt, args);
  va_end(args);
  g_json += buf;
}

struct Opts {
  int tokens = 4096, ll_tokens = 128, hidden = 7168, topk = 8, experts = 256, iters = 50, warmup = 5;
  const char* nccl = nullptr;
  const char* json = nullptr;
};

struct Bench {
  cudaStream_t stream;
  cudaEvent_t start, stop;
  void* flush;
  size_t flush_bytes = 256u << 20;  // well past the 50 MB L2
  int iters, warmup;

  template <typename F>
  double median_us(F&& op) {
    std::vector<float> ms;
    for (int i = 0; i < warmup + iters; ++i) {
      CK(cudaMemsetAsync(flush, i & 0xff, flush_bytes, stream));
      CK(cudaEventRecord(start, stream));
      op();
      CK(cudaEventRecord(stop, stream));
      CK(cudaEventSynchronize(stop));
      float t = 0;
      CK(cudaEventElapsedTime(&t, start, stop));
      if (i >= warmup) ms.push_back(t);
    }
    std::sort(ms.begin(), ms.end());
    return 1000.0 * ms[ms.size() / 2];
  }
};

ep_group* make_group(const Opts& o, int flags, cudaStream_t stream, void** ws_out) {
  ep_group_config c{1, 0, o.experts, o.hidden, o.topk, o.tokens, o.ll_tokens, 1, EP_DTYPE_BF16, 0, flags};
  size_t bytes = 0;
  EK(ep_group_workspace_bytes(&c, &bytes));
  void* ws = nullptr;
  CK(cudaMalloc(&ws, bytes));
  ep_group* g = nullptr;
  EK(ep_group_create(&c, reinterpret_cast<uint64_t>(ws), bytes, reinterpret_cast<uint64_t>(stream), &g));
  *ws_out = ws;
  return g;
}

void upload_inputs(ep_group* g, const std::vector<__nv_bfloat16>& x, const std::vector<int64_t>& idx,
                   const std::vector<float>& w) {
  ep_group_buffers b;
  EK(ep_group_buffers_get(g, &b));
  CK(cudaMemcpy(reinterpret_cast<void*>(b.x), x.data(), x.size() * 2, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(reinterpret_cast<void*>(b.topk_idx), idx.data(), idx.size() * 8, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(reinterpret_cast<void*>(b.topk_weights), w.data(), w.size() * 4, cudaMemcpyHostToDevice));
}

// combine(experts_identity(dispatch(x))) == x * sum(w) per token (rounded once to bf16), checked on
// every token; returns the largest relative error.
double check_identity(ep_group* g, int tokens, int hidden, int topk, const std::vector<__nv_bfloat16>& x,
                      const std::vector<float>& w) {
  ep_group_buffers b;
  EK(ep_group_buffers_get(g, &b));
  std::vector<__nv_bfloat16> out(static_cast<size_t>(tokens) * hidden);
  CK(cudaMemcpy(out.data(), reinterpret_cast<void*>(b.combined), out.size() * 2, cudaMemcpyDeviceToHost));
  double worst = 0;
  for (int t = 0; t < tokens; ++t) {
    float sw = 0;
    for (int k = 0; k < topk; ++k) sw += w[t * topk + k];
    for (int c = 0; c < hidden; ++c) {
      const double ref = __bfloat162float(x[static_cast<size_t>(t) * hidden + c]) * sw;
      const double got = __bfloat162float(out[static_cast<size_t>(t) * hidden + c]);
      worst = std::max(worst, std::fabs(got - ref) / std::max(1e-3, std::fabs(ref)));
    }
  }
  return worst;
}

struct Times {
  double layout, ht_dispatch, ht_experts, ht_combine, ll_dispatch, ll_experts, ll_combine;
};

Times run_all(Bench& b, ep_group* g, const Opts& o, int* tpr, double* ht_err, double* ll_err,
              const std::vector<__nv_bfloat16>& x, const std::vector<float>& w) {
  Times t{};
  t.layout = b.median_us([&] { EK(ep_layout(g, o.tokens)); });
  t.ht_dispatch = b.median_us([&] { EOP(g, ep_ht_dispatch(g, o.tokens, tpr)); });
  t.ht_experts = b.median_us([&] { EK(ep_ht_experts(g, EP_EXPERT_IDENTITY)); });
  t.ht_combine = b.median_us([&] { EOP(g, ep_ht_combine(g)); });
  CK(cudaStreamSynchronize(b.stream));
  *ht_err = check_identity(g, o.tokens, o.hidden, o.topk, x, w);
  t.ll_dispatch = b.median_us([&] { EOP(g, ep_ll_dispatch(g, o.ll_tokens)); });
  t.ll_experts = b.median_us([&] { EK(ep_ll_experts(g, EP_EXPERT_IDENTITY)); });
  t.ll_combine = b.median_us([&] { EOP(g, ep_ll_combine(g)); });
  CK(cudaStreamSynchronize(b.stream));
  *ll_err = check_identity(g, o.ll_tokens, o.hidden, o.topk, x, w);
  return t;
}

void print_times(const char* name, const Times& t, double ht_err, double ll_err, bool last) {
  out("  \"%s\": {\"layout_us\": %.2f, \"ht_dispatch_us\": %.2f, \"ht_experts_us\": %.2f, \"ht_combine_us\": %.2f, "
         "\"ll_dispatch_us\": %.2f, \"ll_experts_us\": %.2f, \"ll_combine_us\": %.2f, "
         "\"ht_identity_max_rel_err\": %.3g, \"ll_identity_max_rel_err\": %.3g}%s\n",
         name, t.layout, t.ht_dispatch, t.ht_experts, t.ht_combine, t.ll_dispatch, t.ll_experts, t.ll_combine, ht_err,
         ll_err, last ? "" : ",");
}

}  // namespace

int main(int argc, char** argv) {
  Opts o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--tokens") o.tokens = atoi(v);
    else if (k == "--ll-tokens") o.ll_tokens = atoi(v);
    else if (k == "--hidden") o.hidden = atoi(v);
    else if (k == "--topk") o.topk = atoi(v);
    else if (k == "--experts") o.experts = atoi(v);
    else if (k == "--iters") o.iters = atoi(v);
    else if (k == "--warmup") o.warmup = atoi(v);
    else if (k == "--nccl") o.nccl = v;
    else if (k == "--json") o.json = v;
    else {
      fprintf(stderr, "unknown option %s\n", k.c_str());
      return 1;
    }
  }
  Bench b;
  b.iters = o.iters;
  b.warmup = o.warmup;
  CK(cudaStreamCreateWithFlags(&b.stream, cudaStreamNonBlocking));
  CK(cudaEventCreate(&b.start));
  CK(cudaEventCreate(&b.stop));
  CK(cudaMalloc(&b.flush, b.flush_bytes));

  // Inputs: random bf16 rows, K distinct experts per token, positive weights.
  std::mt19937_64 rng(42);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::uniform_real_distribution<float> unif(0.05f, 1.f);
  std::vector<__nv_bfloat16> x(static_cast<size_t>(o.tokens) * o.hidden);
  for (auto& v : x) v = __float2bfloat16_rn(normal(rng));
  std::vector<int64_t> idx(static_cast<size_t>(o.tokens) * o.topk);
  std::vector<float> w(idx.size());
  std::vector<int> perm(o.experts);
  for (int t = 0; t < o.tokens; ++t) {
    for (int e = 0; e < o.experts; ++e) perm[e] = e;
    for (int k = 0; k < o.topk; ++k) {
      std::uniform_int_distribution<int> pick(k, o.experts - 1);
      std::swap(perm[k], perm[pick(rng)]);
      idx[t * o.topk + k] = perm[k];
      w[t * o.topk + k] = unif(rng);
    }
  }

  void* ws = nullptr;
  ep_group* g = make_group(o, 0, b.stream, &ws);
  upload_inputs(g, x, idx, w);
  int tpr[1] = {o.tokens};
  double ht_err = 0, ll_err = 0;
  Times direct = run_all(b, g, o, tpr, &ht_err, &ll_err, x, w);

  // The memory ceiling: one device-to-device copy of the bytes each op moves (DeepEP's count:
  // received rows x hidden x 2 bytes for HT; (token, expert) pairs x hidden x 2 for LL).
  const size_t ht_bytes = static_cast<size_t>(o.tokens) * o.hidden * 2;
  const size_t ll_bytes = static_cast<size_t>(o.ll_tokens) * o.topk * o.hidden * 2;
  void *src = nullptr, *dst = nullptr;
  CK(cudaMalloc(&src, ht_bytes));
  CK(cudaMalloc(&dst, ht_bytes));
  CK(cudaMemset(src, 1, ht_bytes));
  const double copy_ht = b.median_us([&] { CK(cudaMemcpyAsync(dst, src, ht_bytes, cudaMemcpyDeviceToDevice, b.stream)); });
  const double copy_ll = b.median_us([&] { CK(cudaMemcpyAsync(dst, src, ll_bytes, cudaMemcpyDeviceToDevice, b.stream)); });

  cudaDeviceProp prop;
  CK(cudaGetDeviceProperties(&prop, 0));
  int driver = 0, runtime = 0;
  CK(cudaDriverGetVersion(&driver));
  CK(cudaRuntimeGetVersion(&runtime));

  out("{\n  \"gpu\": \"%s\", \"sms\": %d, \"l2_bytes\": %d, \"cuda_driver\": %d, \"cuda_runtime\": %d,\n", prop.name,
         prop.multiProcessorCount, prop.l2CacheSize, driver, runtime);
  out("  \"build\": \"%s\",\n", ep_build_info());
  out("  \"shape\": {\"ht_tokens\": %d, \"ll_tokens\": %d, \"hidden\": %d, \"topk\": %d, \"experts\": %d, "
         "\"world_size\": 1, \"dtype\": \"bf16\", \"iters\": %d, \"warmup\": %d, \"l2_flush_bytes\": %zu},\n",
         o.tokens, o.ll_tokens, o.hidden, o.topk, o.experts, o.iters, o.warmup, b.flush_bytes);
  out("  \"bytes\": {\"ht\": %zu, \"ll_pairs\": %zu},\n", ht_bytes, ll_bytes);
  out("  \"copy_us\": {\"ht\": %.2f, \"ll_pairs\": %.2f},\n", copy_ht, copy_ll);

  if (o.nccl != nullptr) {
    int version = 0;
    EK(ep_nccl_load(o.nccl, &version));
    uint8_t id[EP_UNIQUE_ID_BYTES];
    EK(ep_nccl_unique_id(id));
    void* ws2 = nullptr;
    ep_group* gn = make_group(o, EP_FLAG_SELF_VIA_NCCL, b.stream, &ws2);
    EK(ep_group_comm_init(gn, id));
    int state = 1;
    const timespec tick{0, 1000 * 1000};
    for (int i = 0; i < 30000 && state == 1; ++i) {
      EK(ep_group_comm_state(gn, &state));
      if (state == 1) nanosleep(&tick, nullptr);
    }
    if (state != 0) {
      fprintf(stderr, "communicator did not become ready: %s\n", ep_last_error());
      return 4;
    }
    EOP(gn, ep_group_comm_warmup(gn));
    upload_inputs(gn, x, idx, w);
    double ht_err2 = 0, ll_err2 = 0;
    Times via = run_all(b, gn, o, tpr, &ht_err2, &ll_err2, x, w);
    out("  \"nccl_version\": %d,\n", version);
    print_times("self_via_nccl", via, ht_err2, ll_err2, false);
    EK(ep_group_comm_abort(gn));
    ep_group_destroy(gn);
    CK(cudaFree(ws2));
  }
  print_times("direct", direct, ht_err, ll_err, true);
  out("}\n");
  ep_group_destroy(g);
  CK(cudaFree(ws));
  FILE* f = o.json != nullptr ? fopen(o.json, "w") : stdout;
  if (f == nullptr) {
    fprintf(stderr, "cannot write %s\n", o.json);
    return 1;
  }
  fputs(g_json.c_str(), f);
  if (f != stdout) fclose(f);
  return (ht_err < 2e-2 && ll_err < 2e-2) ? 0 : 5;
}
