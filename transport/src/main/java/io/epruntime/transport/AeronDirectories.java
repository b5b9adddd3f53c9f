package io.epruntime.transport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where this process's media driver directories go, and the clean-up of those a killed process
 * left behind. A directory is {@code ep-aeron-<pid>-<random hex>} (Pekko's aeron-udp driver adds
 * {@code -pekko}) under /dev/shm, where it is memory-backed, or the temp directory; the pid says
 * whose it is, so one whose process is gone can be removed safely.
 */
final class AeronDirectories {
  static final String PREFIX = "ep-aeron-";
  private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-.+");

  private AeronDirectories() {}

  /** /dev/shm when it is a writable directory, else {@code java.io.tmpdir}. */
  static File base() {
    File shm = new File("/dev/shm");
    return shm.isDirectory() && shm.canWrite() ? shm : new File(System.getProperty("java.io.tmpdir"));
  }

  /** A new directory name for this process under {@code base}. */
  static String fresh(File base) {
    return new File(base, PREFIX + ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()))
        .getPath();
  }

  /**
   * Removes every {@code ep-aeron-<pid>-*} directory under {@code base} whose process no longer
   * runs (a {@code kill -9}, an OOM kill, a crash); returns those removed. Directories of running
   * processes, and anything this process may not delete, stay.
   */
  static List<Path> removeStale(File base) {
    List<Path> removed = new ArrayList<>();
    File[] dirs = base.listFiles((d, name) -> NAME.matcher(name).matches());
    if (dirs == null) {
      return removed;
    }
    for (File dir : dirs) {
      Matcher m = NAME.matcher(dir.getName());
      if (m.matches() && !running(Long.parseLong(m.group(1))) && deleteTree(dir.toPath())) {
        removed.add(dir.toPath());
      }
    }
    return removed;
  }

  /**
   * How many running processes' media drivers have a directory under {@code base}: on a host, the
   * transport threads of its nodes and clients (each runs its driver on its one transport thread).
   * Pekko's own driver directories ({@code -pekko}) are not ours and are not counted.
   */
  static int liveDrivers(File base) {
    File[] dirs = base.listFiles((d, name) -> NAME.matcher(name).matches() && !name.endsWith("-pekko"));
    int live = 0;
    for (File dir : dirs == null ? new File[0] : dirs) {
      Matcher m = NAME.matcher(dir.getName());
      if (m.matches() && running(Long.parseLong(m.group(1)))) {
        live++;
      }
    }
    return live;
  }

  private static boolean running(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Deletes {@code root} and everything under it; false when any of it stays. */
  static boolean deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
      return true;
    } catch (IOException | SecurityException e) {
      return false; // another user's, or removed meanwhile: left as it is
    }
  }
}
