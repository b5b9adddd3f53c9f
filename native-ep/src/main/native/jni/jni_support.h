// JNI plumbing shared by the entry points: cached classes and method ids (JNI_OnLoad), mapping an
// ep_status to a Java exception, and attaching CUDA driver threads once for up-calls.
#ifndef EP_JNI_JNI_SUPPORT_H
#define EP_JNI_JNI_SUPPORT_H

#include <jni.h>

#include "ep/ep.h"

namespace ep {
namespace jni {

// Throws the Java exception for `status` with ep_last_error(); returns true when it threw.
bool throw_if_failed(JNIEnv* env, ep_status status);
// Throws EpArgumentException(argument, message).
void throw_argument(JNIEnv* env, const char* argument, const char* message);
// Calls NativeEp.onHostCallback(token) from any native thread (attached once, as a daemon).
void call_host_callback(jlong token);
/** From now on driver threads leave the VM alone (called from a JVM shutdown hook). */
void mark_vm_exiting();

}  // namespace jni
}  // namespace ep

#endif  // EP_JNI_JNI_SUPPORT_H
