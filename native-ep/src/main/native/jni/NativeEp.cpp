// JNI entry points of io.epruntime.nativeep.internal.NativeEp: convert, call the C core, map errors.
// Compiled against the javac -h header, so a signature drift fails the build.
#include "io_epruntime_nativeep_internal_NativeEp.h"

#include <stdint.h>

#include "ep/ep.h"
#include "jni_support.h"

namespace {

using ep::jni::throw_if_failed;

ep_group* group_of(jlong handle) { return reinterpret_cast<ep_group*>(handle); }

bool read_config(JNIEnv* env, jintArray cfg, ep_group_config* out) {
  if (cfg == nullptr || env->GetArrayLength(cfg) != 11) {
    ep::jni::throw_argument(env, "config", "config needs 11 ints");
    return false;
  }
  jint v[11];
  env->GetIntArrayRegion(cfg, 0, 11, v);
  *out = ep_group_config{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], static_cast<ep_dtype>(v[8]), v[9], v[10]};
  return true;
}

jlongArray to_java(JNIEnv* env, const uint64_t* values, jsize n) {
  jlongArray out = env->NewLongArray(n);
  if (out != nullptr) env->SetLongArrayRegion(out, 0, n, reinterpret_cast<const jlong*>(values));
  return out;
}

// An op's status as Java sees it: 0 queued, 1 still in NCCL's hands (resume later); else it threw.
jint op_status(JNIEnv* env, ep_status st) {
  if (st == EP_IN_PROGRESS) return 1;
  throw_if_failed(env, st);
  return 0;
}

void host_callback(void* user) { ep::jni::call_host_callback(static_cast<jlong>(reinterpret_cast<intptr_t>(user))); }

}  // namespace

extern "C" {

JNIEXPORT jstring JNICALL Java_io_epruntime_nativeep_internal_NativeEp_buildInfo0(JNIEnv* env, jclass) {
  return env->NewStringUTF(ep_build_info());
}

JNIEXPORT jint JNICALL Java_io_epruntime_nativeep_internal_NativeEp_ncclLoad0(JNIEnv* env, jclass, jstring path) {
  const char* p = path == nullptr ? nullptr : env->GetStringUTFChars(path, nullptr);
  int version = 0;
  ep_status st = ep_nccl_load(p, &version);
  if (p != nullptr) env->ReleaseStringUTFChars(path, p);
  throw_if_failed(env, st);
  return version;
}

JNIEXPORT jbyteArray JNICALL Java_io_epruntime_nativeep_internal_NativeEp_ncclUniqueId0(JNIEnv* env, jclass) {
  uint8_t id[EP_UNIQUE_ID_BYTES];
  if (throw_if_failed(env, ep_nccl_unique_id(id))) return nullptr;
  jbyteArray out = env->NewByteArray(EP_UNIQUE_ID_BYTES);
  if (out != nullptr) env->SetByteArrayRegion(out, 0, EP_UNIQUE_ID_BYTES, reinterpret_cast<const jbyte*>(id));
  return out;
}

JNIEXPORT jlong JNICALL Java_io_epruntime_nativeep_internal_NativeEp_workspaceBytes0(JNIEnv* env, jclass,
                                                                                     jintArray cfg) {
  ep_group_config c;
  if (!read_config(env, cfg, &c)) return 0;
  size_t bytes = 0;
  throw_if_failed(env, ep_group_workspace_bytes(&c, &bytes));
  return static_cast<jlong>(bytes);
}

JNIEXPORT jlong JNICALL Java_io_epruntime_nativeep_internal_NativeEp_groupCreate0(JNIEnv* env, jclass, jintArray cfg,
                                                                                  jlong workspace, jlong bytes,
                                                                                  jlong stream) {
  ep_group_config c;
  if (!read_config(env, cfg, &c)) return 0;
  ep_group* g = nullptr;
  if (throw_if_failed(env, ep_group_create(&c, static_cast<uint64_t>(workspace), static_cast<size_t>(bytes),
                                           static_cast<uint64_t>(stream), &g)))
    return 0;
  return reinterpret_cast<jlong>(g);
}

JNIEXPORT void JNICALL Java_io_epruntime_nativeep_internal_NativeEp_commInit0(JNIEnv* env, jclass, jlong g,
                                                                              jbyteArray id) {
  uint8_t bytes[EP_UNIQUE_ID_BYTES];
  env->GetByteArrayRegion(id, 0, EP_UNIQUE_ID_BYTES, reinterpret_cast<jbyte*>(bytes));
  if (env->ExceptionCheck()) return;
  throw_if_failed(env, ep_group_comm_init(group_of(g), bytes));
}

JNIEXPORT jint JNICALL Java_io_epruntime_nativeep_internal_NativeEp_commState0(JNIEnv* env, jclass, jlong g) {
  int state = 0;
  throw_if_failed(env, ep_group_comm_state(group_of(g), &state));
  return state;
}

JNIEXPORT jint JNICALL Java_io_epruntime_nativeep_internal_NativeEp_commWarmup0(JNIEnv* env, jclass, jlong g) {
  return op_status(env, ep_group_comm_warmup(group_of(g)));
}

JNIEXPORT jint JNICALL Java_io_epruntime_nativeep_internal_NativeEp_resume0(JNIEnv* env, jclass, jlong g) {
  return op_status(env, ep_group_resume(group_of(g)));
}

JNIEXPORT void JNICALL Java_io_epruntime_nativeep_internal_NativeEp_commAbort0(JNIEnv* env, jclass, jlong g) {
  throw_if_failed(env, ep_group_comm_abort(group_of(g)));
}

JNIEXPORT void JNICALL Java_io_epruntime_nativeep_internal_NativeEp_groupDestroy0(JNIEnv*, jclass, jlong g) {
  ep_group_destroy(group_of(g));
}

JNIEXPORT jlongArray JNICALL Java_io_epruntime_nativeep_internal_NativeEp_buffers0(JNIEnv* env, jclass, jlong g) {
  ep_group_buffers b;
  if (throw_if_failed(env, ep_group_buffers_get(group_of(g), &b))) return nullptr;
  const uint64_t v[] = {b.x, b.x_scales, b.topk_idx, b.topk_weights, b.combined, b.error_word};
  return to_java(env, v, 6);
}

JNIEXPORT jlongArray JNICALL Java_io_epruntime_nativeep_internal_NativeEp_view0(JNIEnv* env, jclass, jlong g) {
  ep_dispatch_view d;
  if (throw_if_failed(env, ep_group_view(group_of(g), &d))) return nullptr;
  const uint64_t v[] = {d.recv_x, d.recv_scales, d.recv_topk_idx, d.recv_topk_weights, d.recv_src, d.recv_counts,
                        d.recv_expert_counts, d.reduced, d.tokens_per_rank, d.tokens_per_expert, d.token_pos,
                        d.ll_recv_x, d.ll_recv_scales, d.ll_recv_src, d.ll_recv_counts, d.ll_y,
                        static_cast<uint64_t>(d.row_capacity)};
  return to_java(env, v, 17);
}

JNIEXPORT void JNICALL Java_io_epruntime_nativeep_internal_NativeEp_layout0(JNIEnv* env, jclass, jlong g, jint t) {
  throw_if_failed(env, ep_layout(group_of(g), t));
}

JNIEXPORT jint JNICALL Java_io_epruntime_nativeep_internal_NativeEp_htDispatch0(JNIEnv* env, jclass, jlong g, jint t,
                                                                                jintArray tpr) {
  jint* counts = env->GetIntArrayElements(tpr, nullptr);
  if (counts == nullptr) return 0;
  ep_status st = ep_ht_dispatch(group_of(g), t, reinterpret_cast<const int*>(counts));
  env->ReleaseIntArrayElements(tpr, counts, JNI_ABORT);
  return op_status(env, st);
}

JNIEXPORT jint JNICALL Java_io_epruntime_nativeep_internal_NativeEp_htDispatchCached0(JNIEnv* env, jclass, jlong g) {
  return op_status(env, ep_ht_dispatch_cached(group_of(g)));
}

JNIEXPORT void JNICALL Java_io_epruntime_nativeep_internal_NativeEp_htExperts0(JNIEnv* env, jclass, jlong g,
                                                                               jint kind) {
  throw_if_failed(env, ep_ht_experts(group_of(g), static_cast<ep_expert_kind>(kind)));
}

JNIEXPORT jint JNICALL Java_io_epruntime_nativeep_internal_NativeEp_htCombine0(JNIEnv* env, jclass, jlong g) {
  return op_status(env, ep_ht_combine(group_of(g)));
}

JNIEXPORT jint JNICALL Java_io_epruntime_nativeep_internal_NativeEp_llDispatch0(JNIEnv* env, jclass, jlong g, jint t) {
  return op_status(env, ep_ll_dispatch(group_of(g), t));
}

JNIEXPORT void JNICALL Java_io_epruntime_nativeep_internal_NativeEp_llExperts0(JNIEnv* env, jclass, jlong g,
                                                                               jint kind) {
  throw_if_failed(env, ep_ll_experts(group_of(g), static_cast<ep_expert_kind>(kind)));
}

JNIEXPORT jint JNICALL Java_io_epruntime_nativeep_internal_NativeEp_llCombine0(JNIEnv* env, jclass, jlong g) {
  return op_status(env, ep_ll_combine(group_of(g)));
}

JNIEXPORT void JNICALL Java_io_epruntime_nativeep_internal_NativeEp_setSwiglu0(JNIEnv* env, jclass, jlong g, jint i,
                                                                               jlong w1, jlong w3, jlong w2) {
  throw_if_failed(env, ep_group_set_swiglu(group_of(g), i, static_cast<uint64_t>(w1), static_cast<uint64_t>(w3),
                                           static_cast<uint64_t>(w2)));
}

JNIEXPORT void JNICALL Java_io_epruntime_nativeep_internal_NativeEp_setPeers0(JNIEnv* env, jclass, jlong g,
                                                                              jlongArray bases, jlong timeout) {
  const jsize n = env->GetArrayLength(bases);
  jlong* v = env->GetLongArrayElements(bases, nullptr);
  if (v == nullptr) return;
  ep_status st = ep_group_set_peers(group_of(g), reinterpret_cast<const uint64_t*>(v), static_cast<int>(n),
                                    static_cast<uint64_t>(timeout));
  env->ReleaseLongArrayElements(bases, v, JNI_ABORT);
  throw_if_failed(env, st);
}

JNIEXPORT jbyteArray JNICALL Java_io_epruntime_nativeep_internal_NativeEp_ipcHandle0(JNIEnv* env, jclass, jlong base) {
  uint8_t h[EP_IPC_HANDLE_BYTES];
  if (throw_if_failed(env, ep_ipc_handle(static_cast<uint64_t>(base), h))) return nullptr;
  jbyteArray out = env->NewByteArray(EP_IPC_HANDLE_BYTES);
  if (out != nullptr) env->SetByteArrayRegion(out, 0, EP_IPC_HANDLE_BYTES, reinterpret_cast<const jbyte*>(h));
  return out;
}

JNIEXPORT jlong JNICALL Java_io_epruntime_nativeep_internal_NativeEp_ipcOpen0(JNIEnv* env, jclass, jbyteArray handle) {
  if (handle == nullptr || env->GetArrayLength(handle) != EP_IPC_HANDLE_BYTES) {
    ep::jni::throw_argument(env, "handle", "handle needs 64 bytes");
    return 0;
  }
  uint8_t h[EP_IPC_HANDLE_BYTES];
  env->GetByteArrayRegion(handle, 0, EP_IPC_HANDLE_BYTES, reinterpret_cast<jbyte*>(h));
  uint64_t base = 0;
  if (throw_if_failed(env, ep_ipc_open(h, &base))) return 0;
  return static_cast<jlong>(base);
}

JNIEXPORT void JNICALL Java_io_epruntime_nativeep_internal_NativeEp_ipcClose0(JNIEnv* env, jclass, jlong base) {
  throw_if_failed(env, ep_ipc_close(static_cast<uint64_t>(base)));
}

JNIEXPORT void JNICALL Java_io_epruntime_nativeep_internal_NativeEp_streamDelay0(JNIEnv* env, jclass, jlong stream,
                                                                                 jlong nanos) {
  throw_if_failed(env, ep_stream_delay(static_cast<uint64_t>(stream), static_cast<uint64_t>(nanos)));
}

JNIEXPORT void JNICALL Java_io_epruntime_nativeep_internal_NativeEp_addHostCallback0(JNIEnv* env, jclass, jlong stream,
                                                                                     jlong token) {
  throw_if_failed(env, ep_stream_add_host_fn(static_cast<uint64_t>(stream), host_callback,
                                             reinterpret_cast<void*>(static_cast<intptr_t>(token))));
}

JNIEXPORT jstring JNICALL Java_io_epruntime_nativeep_internal_NativeEp_lastError0(JNIEnv* env, jclass) {
  return env->NewStringUTF(ep_last_error());
}

JNIEXPORT void JNICALL Java_io_epruntime_nativeep_internal_NativeEp_vmExiting0(JNIEnv*, jclass) {
  ep::jni::mark_vm_exiting();
}

}  // extern "C"
