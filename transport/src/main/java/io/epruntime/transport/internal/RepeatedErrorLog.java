package io.epruntime.transport.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.agrona.ErrorHandler;

/**
 * An Aeron error handler that does not flood the log. Aeron reports a failure every time it
 * happens: with a node's network gone (a partition that takes the interface away), every
 * heartbeat and status message fails to send, thousands a second, each with a stack trace. Here
 * the first error of each kind is logged with its stack trace, and repeats of it at most once per
 * {@code interval}, as one line that counts them. Two errors are of one kind when their classes
 * and messages, and those of their causes, agree once numbers (byte counts, addresses, ports) are
 * left out.
 */
public final class RepeatedErrorLog implements ErrorHandler {
  /** Kinds remembered at most; the oldest is forgotten (and would be logged in full again). */
  static final int MAX_KINDS = 64;
  /** Numbers in messages (byte counts, addresses, ports): compiled once, as errors may come thousands a second. */
  private static final Pattern NUMBER = Pattern.compile("\\d+");

  /** Where the lines go: {@code trace} is the error to log with its stack trace, or null. */
  @FunctionalInterface
  public interface Sink {
    void log(String line, Throwable trace);
  }

  private final String what;
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private final Sink sink;
  private final Map<String, Kind> kinds = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Kind> eldest) {
      return size() > MAX_KINDS;
    }
  };

  private static final class Kind {
    long reportedAt;
    long repeats;

    Kind(long now) {
      reportedAt = now;
    }
  }

  /**
   * @param what what failed, the start of every line (e.g. "media driver error in /dev/shm/x")
   * @param intervalNanos at most one line per kind of error this often, after the first
   */
  public RepeatedErrorLog(String what, long intervalNanos, LongSupplier nanoClock, Sink sink) {
    this.what = what;
    this.intervalNanos = intervalNanos;
    this.nanoClock = nanoClock;
    this.sink = sink;
  }

  @Override
  public void onError(Throwable error) {
    String line = null;
    Throwable trace = null;
    synchronized (this) {
      long now = nanoClock.getAsLong();
      String key = kind(error);
      Kind k = kinds.get(key);
      if (k == null) {
        kinds.put(key, new Kind(now));
        line = what;
        trace = error;
      } else {
        k.repeats++;
        if (now - k.reportedAt >= intervalNanos) {
          line = what + ": " + k.repeats + " more like it in the last " + (now - k.reportedAt) / 1_000_000_000L
              + " s (stack trace logged with the first), the latest: " + describe(error);
          k.repeats = 0;
          k.reportedAt = now;
        }
      }
    }
    if (line != null) {
      sink.log(line, trace);
    }
  }

  static String kind(Throwable error) {
    StringBuilder key = new StringBuilder();
    int depth = 0;
    for (Throwable t = error; t != null && depth < 8; t = t.getCause(), depth++) {
      key.append(t.getClass().getName()).append(':').append(NUMBER.matcher(String.valueOf(t.getMessage())).replaceAll("#")).append('|');
    }
    return key.toString();
  }

  private static String describe(Throwable error) {
    StringBuilder s = new StringBuilder(String.valueOf(error));
    int depth = 0;
    for (Throwable t = error.getCause(); t != null && depth < 8; t = t.getCause(), depth++) {
      s.append("; caused by ").append(t);
    }
    return s.toString();
  }
}
