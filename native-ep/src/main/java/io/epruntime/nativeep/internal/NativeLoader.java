package io.epruntime.nativeep.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Loads {@code libnative-ep.so} once: first the copy packaged in this jar under
 * {@code native/linux-x86_64/} (extracted to a temporary directory), then {@code java.library.path}.
 * Never throws: the outcome is a cause string, null when loaded (Netty's native loader pattern).
 */
public final class NativeLoader {
  /** Resource path of the packaged library. */
  public static final String RESOURCE = "/native/linux-x86_64/libnative-ep.so";

  private static final String CAUSE = load();

  private NativeLoader() {}

  /** Null when the library is loaded, else why not. */
  public static String unavailabilityCause() {
    return CAUSE;
  }

  private static String load() {
    String cause = loadOnce();
    if (cause == null) {
      // exit() runs the CUDA runtime's teardown, which joins its callback thread; a thread that
      // enters the exiting VM blocks forever, so without this hook the process would hang on exit.
      Runtime.getRuntime().addShutdownHook(new Thread(NativeEp::vmExiting0, "native-ep-vm-exit"));
    }
    return cause;
  }

  private static String loadOnce() {
    String os = System.getProperty("os.name", "").toLowerCase();
    String arch = System.getProperty("os.arch", "");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      return "native-ep is built for linux-x86_64 only; this JVM runs on " + os + "/" + arch;
    }
    String fromJar = loadFromJar();
    if (fromJar == null) {
      return null;
    }
    try {
      System.loadLibrary("native-ep");
      return null;
    } catch (Throwable t) {
      return fromJar + "; and from java.library.path: " + t;
    }
  }

  private static String loadFromJar() {
    try (InputStream in = NativeLoader.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "libnative-ep.so is not packaged in this jar (" + RESOURCE
            + " missing: the build found no nvcc and skipped native compilation)";
      }
      Path dir = Files.createTempDirectory("native-ep");
      Path lib = dir.resolve("libnative-ep.so");
      Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
      lib.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      System.load(lib.toAbsolutePath().toString());
      return null;
    } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
      return "loading the packaged libnative-ep.so failed: " + e;
    }
  }
}
