package io.epruntime.rank;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.rank.backend.EpBackend;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks and builds a node's backend for {@code ep.backend = auto | cpu | nccl}. The backends are
 * reached by name, so a node without a GPU (or without the native library, or without the nccl
 * classes at all) still starts: any {@link LinkageError} or missing class counts as "nccl not
 * available" and {@code auto} falls back to cpu.
 *
 * <p>A backend is built with its public constructor whose parameter types all appear among the
 * {@code collaborators} (the node's AeronNode, the world's EpConfig, the rank number, ...).
 */
public final class BackendFactory {
  private static final Logger LOG = LoggerFactory.getLogger(BackendFactory.class);

  static final String CPU = "io.epruntime.rank.backend.cpu.CpuBackend";
  static final String NCCL = "io.epruntime.rank.backend.nccl.NcclBackend";

  private BackendFactory() {}

  /** Builds the backend {@code kind} names; {@code auto} takes nccl when available, else cpu. */
  public static EpBackend create(String kind, Object... collaborators) {
    switch (kind) {
      case "cpu":
        return build(CPU, collaborators);
      case "nccl": {
        String why = ncclUnavailability();
        if (why != null) {
          throw new EpArgumentException("ep.backend", "ep.backend = nccl but NCCL is not available here: " + why);
        }
        return build(NCCL, collaborators);
      }
      case "auto": {
        String why = ncclUnavailability();
        if (why == null) {
          return build(NCCL, collaborators);
        }
        LOG.info("ep.backend = auto: using cpu ({})", why);
        return build(CPU, collaborators);
      }
      default:
        throw new EpArgumentException("ep.backend", "ep.backend = " + kind + " is not one of auto, cpu, nccl");
    }
  }

  /** Null when the nccl backend says it can run here, else the reason it cannot. */
  public static String ncclUnavailability() {
    try {
      Class<?> c = Class.forName(NCCL);
      Object a = c.getMethod("availability").invoke(null);
      if (a instanceof Boolean b) {
        return b ? null : "NcclBackend.availability() = false";
      }
      for (String name : List.of("ok", "isOk", "available", "isAvailable")) {
        try {
          Method m = a.getClass().getMethod(name);
          if (m.getReturnType() == boolean.class) {
            return (boolean) m.invoke(a) ? null : String.valueOf(a);
          }
        } catch (NoSuchMethodException ignored) {
          // try the next spelling
        }
      }
      return String.valueOf(a).toLowerCase().startsWith("ok") ? null : String.valueOf(a);
    } catch (ClassNotFoundException | LinkageError e) {
      return "nccl backend not loadable: " + e;
    } catch (InvocationTargetException e) {
      return "NcclBackend.availability() failed: " + e.getCause();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return "NcclBackend.availability() unusable: " + e;
    }
  }

  private static EpBackend build(String className, Object... collaborators) {
    Class<?> c;
    try {
      c = Class.forName(className);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new EpArgumentException("ep.backend", className + " is not on this node's class path: " + e);
    }
    for (Constructor<?> ctor : c.getConstructors()) {
      Object[] args = match(ctor.getParameterTypes(), collaborators);
      if (args != null) {
        try {
          return (EpBackend) ctor.newInstance(args);
        } catch (InvocationTargetException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException re) {
            throw re;
          }
          throw new IllegalStateException("creating " + className + " failed", cause);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("creating " + className + " failed", e);
        }
      }
    }
    throw new IllegalStateException(className + " has no public constructor taking some of "
        + Arrays.stream(collaborators).map(o -> o.getClass().getSimpleName()).toList());
  }

  private static Object[] match(Class<?>[] types, Object[] collaborators) {
    Object[] args = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      Class<?> want = types[i] == int.class ? Integer.class : types[i];
      for (Object o : collaborators) {
        if (want.isInstance(o)) {
          args[i] = o;
          break;
        }
      }
      if (args[i] == null) {
        return null;
      }
    }
    return args;
  }
}
