#include "jni_support.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <atomic>
#include <string>

namespace ep {
namespace jni {
namespace {

JavaVM* g_vm = nullptr;
jclass g_native_ep = nullptr;
jmethodID g_on_host_callback = nullptr;
jclass g_argument_exception = nullptr;
jmethodID g_argument_ctor = nullptr;
jclass g_native_exception = nullptr;
jmethodID g_native_ctor = nullptr;
pthread_key_t g_detach_key;
// Set by a JVM shutdown hook. From then on a thread entering the VM (attach, call, detach) blocks
// forever, and the CUDA runtime's teardown in exit() joins its callback thread: a driver thread
// must not touch the VM any more, or the process never exits.
std::atomic<bool> g_vm_exiting{false};

// Detaches a driver thread when it exits, so attaching happens once per thread, not per call.
void detach_thread(void*) {
  if (g_vm != nullptr && !g_vm_exiting.load(std::memory_order_acquire)) g_vm->DetachCurrentThread();
}

jclass global_class(JNIEnv* env, const char* name) {
  jclass local = env->FindClass(name);
  if (local == nullptr) return nullptr;
  jclass global = static_cast<jclass>(env->NewGlobalRef(local));
  env->DeleteLocalRef(local);
  return global;
}

}  // namespace

void throw_argument(JNIEnv* env, const char* argument, const char* message) {
  jstring a = env->NewStringUTF(argument);
  jstring m = env->NewStringUTF(message);
  jobject ex = env->NewObject(g_argument_exception, g_argument_ctor, a, m);
  if (ex != nullptr) env->Throw(static_cast<jthrowable>(ex));
}

bool throw_if_failed(JNIEnv* env, ep_status status) {
  if (status == EP_OK) return false;
  const char* message = ep_last_error();
  if (status == EP_ERR_ARGUMENT) {
    // Messages start with the argument's name: "hidden = 100 is not allowed: ...".
    std::string text(message);
    size_t end = text.find_first_of(" :");
    std::string argument = text.substr(0, end == std::string::npos ? text.size() : end);
    std::string tail = text.substr(argument.size());
    if (tail.rfind(": ", 0) == 0) tail = tail.substr(2);  // EpArgumentException prefixes "argument: "
    else tail = text;
    throw_argument(env, argument.c_str(), tail.c_str());
    return true;
  }
  jstring m = env->NewStringUTF(message);
  jobject ex = env->NewObject(g_native_exception, g_native_ctor, static_cast<jint>(status), m);
  if (ex != nullptr) env->Throw(static_cast<jthrowable>(ex));
  return true;
}

void mark_vm_exiting() { g_vm_exiting.store(true, std::memory_order_release); }

void call_host_callback(jlong token) {
  if (g_vm_exiting.load(std::memory_order_acquire)) return;  // nobody is left to hear it
  JNIEnv* env = nullptr;
  if (g_vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) == JNI_EDETACHED) {
    JavaVMAttachArgs args{JNI_VERSION_1_8, const_cast<char*>("cuda-host-callback"), nullptr};
    if (g_vm->AttachCurrentThreadAsDaemon(reinterpret_cast<void**>(&env), &args) != JNI_OK) return;
    pthread_setspecific(g_detach_key, g_vm);
  }
  env->CallStaticVoidMethod(g_native_ep, g_on_host_callback, token);
  if (env->ExceptionCheck()) {
    // Never let a Java exception escape into the driver thread.
    env->ExceptionDescribe();
    env->ExceptionClear();
  }
}

}  // namespace jni
}  // namespace ep

extern "C" JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM* vm, void*) {
  using namespace ep::jni;
  // Ranks' kernels wait on each other in barriers; with CUDA's lazy loading a kernel loaded at its
  // first launch can make the context wait behind a peer's kernel spinning in a barrier, until the
  // barrier's budget runs out. The driver reads this when it initialises, so it holds when this
  // library loads before the first CUDA call (NcclAvailability loads it first); a value the user
  // set is kept.
  setenv("CUDA_MODULE_LOADING", "EAGER", 0);
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
  g_vm = vm;
  g_native_ep = global_class(env, "io/epruntime/nativeep/internal/NativeEp");
  g_argument_exception = global_class(env, "io/epruntime/protocol/EpArgumentException");
  g_native_exception = global_class(env, "io/epruntime/nativeep/NativeEpException");
  if (g_native_ep == nullptr || g_argument_exception == nullptr || g_native_exception == nullptr) return JNI_ERR;
  g_on_host_callback = env->GetStaticMethodID(g_native_ep, "onHostCallback", "(J)V");
  g_argument_ctor = env->GetMethodID(g_argument_exception, "<init>", "(Ljava/lang/String;Ljava/lang/String;)V");
  g_native_ctor = env->GetMethodID(g_native_exception, "<init>", "(ILjava/lang/String;)V");
  if (g_on_host_callback == nullptr || g_argument_ctor == nullptr || g_native_ctor == nullptr) return JNI_ERR;
  if (pthread_key_create(&g_detach_key, detach_thread) != 0) return JNI_ERR;
  return JNI_VERSION_1_8;
}
