package io.epruntime.tests.k8s;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds fields fabric8 did not recognise. Its model accepts any field and parks the unknown ones
 * in {@code additionalProperties} (a typo such as {@code matchLabel} parses "fine"), so every model
 * object reachable from a rendered object is visited and a non-empty map is reported with its path.
 */
final class UnknownFieldScan {
  private UnknownFieldScan() {}

  /** {@code path: {field=value}} for every object with unknown fields under {@code root}. */
  static List<String> scan(Object root, String rootPath) {
    List<String> found = new ArrayList<>();
    walk(root, rootPath, found, new IdentityHashMap<>());
    return found;
  }

  private static void walk(Object o, String path, List<String> found, Map<Object, Boolean> seen) {
    if (o == null || seen.put(o, Boolean.TRUE) != null) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        walk(e, path + "[" + i++ + "]", found, seen);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        walk(e.getValue(), path + "[" + e.getKey() + "]", found, seen);
      }
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get") || m.getName().equals("getClass")) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(o);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + path + "." + m.getName(), e);
      }
      if (m.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          found.add(path + ": unknown field(s) " + extra.keySet());
        }
        continue;
      }
      String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
      walk(value, path + "." + field, found, seen);
    }
  }
}
