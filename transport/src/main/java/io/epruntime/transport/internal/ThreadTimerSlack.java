package io.epruntime.transport.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets the Linux timer slack of the calling thread: how much later than asked the kernel may end
 * its timed sleeps, to batch wake-ups. The default is 50 µs for every thread, so a
 * {@code parkNanos(1 µs)} of the transport's back-off really sleeps 50 µs or more, and every frame
 * of a running step waits that long to be seen. A thread may lower its own slack through
 * {@code /proc/<its tid>/timerslack_ns} (Linux 4.6+, no privilege needed for itself; the file is
 * not under {@code /proc/thread-self}, whose link names the tid).
 */
public final class ThreadTimerSlack {
  private static final Logger LOG = LoggerFactory.getLogger(ThreadTimerSlack.class);
  private static final Path THREAD_SELF = Path.of("/proc/thread-self");

  private ThreadTimerSlack() {}

  /**
   * Sets the calling thread's timer slack to {@code nanos} (at least 1: the file reads 0 as "back to
   * the default"); returns whether it took. Elsewhere than on Linux, or where /proc is read-only,
   * the slack stays as it is and that is logged once per thread at INFO.
   */
  public static boolean setForCurrentThread(long nanos) {
    try {
      Files.writeString(ownFile(), Long.toString(Math.max(1, nanos)));
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.info("timer slack of thread {} left at the OS default ({})", Thread.currentThread().getName(), e.toString());
      return false;
    }
  }

  /** {@code /proc/<tid>/timerslack_ns} of the calling thread; /proc/thread-self links to {@code <pid>/task/<tid>}. */
  private static Path ownFile() throws IOException {
    Path link = Files.readSymbolicLink(THREAD_SELF);
    return Path.of("/proc", link.getFileName().toString(), "timerslack_ns");
  }
}
