package io.epruntime.rank.gpu;

import java.lang.reflect.Field;
import jcuda.NativePointerObject;
import jcuda.Pointer;

/**
 * Raw addresses of JCuda objects for native-ep. JCuda keeps them in private fields
 * ({@code NativePointerObject.nativePointer}, {@code Pointer.byteOffset}) that its own native
 * siblings read through JNI; we read the same fields once by reflection (JCuda is on the class path,
 * not a named module), never by parsing {@code toString()}.
 */
final class NativeAddress {
  private static final Field NATIVE_POINTER = field(NativePointerObject.class, "nativePointer");
  private static final Field BYTE_OFFSET = field(Pointer.class, "byteOffset");

  private NativeAddress() {}

  static long of(NativePointerObject p) {
    try {
      long base = NATIVE_POINTER.getLong(p);
      return p instanceof Pointer ? base + BYTE_OFFSET.getLong(p) : base;
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot read JCuda's native pointer", e);
    }
  }

  private static Field field(Class<?> c, String name) {
    try {
      Field f = c.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("JCuda " + c.getName() + "." + name + " is not readable", e);
    }
  }
}
