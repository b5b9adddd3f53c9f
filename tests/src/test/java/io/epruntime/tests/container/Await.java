package io.epruntime.tests.container;

import java.time.Duration;
import java.util.Optional;

/** Waits for a condition with a deadline, re-checking it every 100 ms; never a bare sleep. */
public final class Await {
  private Await() {}

  /** Something to check that may fail to read its state (a log file, the Docker engine). */
  @FunctionalInterface
  public interface Check<T> {
    Optional<T> get() throws Exception;
  }

  /**
   * The first value {@code check} yields within {@code timeout}; else an {@link AssertionError}
   * saying what did not happen in time.
   */
  public static <T> T until(Duration timeout, String what, Check<T> check) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<T> value = check.get();
      if (value.isPresent()) {
        return value.get();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
      }
      Thread.sleep(100);
    }
  }
}
