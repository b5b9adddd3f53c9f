/**
 * JNI declarations and the library loader of native-ep. Not an API: use {@code io.epruntime.nativeep}.
 *
 * <pre>
 *   EpGroup ──checked calls──▶ NativeEp.*0 ──JNI──▶ jni/NativeEp.cpp ──▶ core (C API) ──▶ kernels
 *      ▲                                                     │
 *      └──── onHostCallback(token) ◀── cudaLaunchHostFunc ───┘  (driver thread, attached once)
 * </pre>
 */
package io.epruntime.nativeep.internal;
