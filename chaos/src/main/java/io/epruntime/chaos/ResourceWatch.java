package io.epruntime.chaos;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The soak's own checks: every few seconds each rank process's resident memory and open files go
 * into the history ({@code resources} events), and at the end no media driver directory of an
 * exited node may be left in /dev/shm (a restarted node removes those of dead processes; a clean
 * exit removes its own). Whether memory and files stay flat is judged over the history
 * ({@link #flatness}) once a run is long enough for a level to show.
 */
final class ResourceWatch implements AutoCloseable {
  static final long INTERVAL_MS = 5_000;
  /** A run shorter than this is not judged for flatness: levels need minutes to settle. */
  static final long JUDGED_AFTER_MS = 20 * 60_000;

  private final ChaosCluster cluster;
  private final History history;
  private final Set<Long> started = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "chaos-resources");
    t.setDaemon(true);
    return t;
  });

  ResourceWatch(ChaosCluster cluster, History history) {
    this.cluster = cluster;
    this.history = history;
    timer.scheduleWithFixedDelay(this::sample, 0, INTERVAL_MS, TimeUnit.MILLISECONDS);
  }

  private void sample() {
    for (int r = 0; r < ChaosCluster.WORLD; r++) {
      Process p = cluster.process(r);
      if (p == null) {
        continue;
      }
      started.add(p.pid());
      long rssKb = rssKb(p.pid());
      int fds = openFiles(p.pid());
      if (rssKb >= 0 && fds >= 0) {
        history.write(history.event("resources").put("rank", r).put("pid", p.pid()).put("rss_kb", rssKb).put("fds", fds));
      }
    }
  }

  /** Media driver directories of rank processes seen in this run that have exited. */
  List<String> leftAeronDirectories() {
    sample();
    List<String> left = new ArrayList<>();
    File[] dirs = new File("/dev/shm").listFiles((d, name) -> name.startsWith("ep-aeron-"));
    for (File d : dirs == null ? new File[0] : dirs) {
      String[] parts = d.getName().split("-");
      long pid = parts.length > 2 ? parseOr(parts[2]) : -1;
      if (started.contains(pid) && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
        left.add(d.getName());
      }
    }
    return left;
  }

  /** What {@link #flatness} found: the middle and last thirds' medians, and the problems (none: flat). */
  record Flatness(boolean judged, long middleRssKb, long lastRssKb, long middleFds, long lastFds, List<String> problems) {
    @Override
    public String toString() {
      return judged
          ? String.format("median RSS %d MB -> %d MB, median fds %d -> %d (middle -> last third)%s", middleRssKb / 1024,
              lastRssKb / 1024, middleFds, lastFds, problems.isEmpty() ? ": flat" : ": " + problems)
          : "not judged: a run shorter than " + JUDGED_AFTER_MS / 60_000 + " min";
    }
  }

  /**
   * Whether resident memory and open files stayed flat over samples {@code [t_ms, rss_kb, fds]}:
   * the median over the run's last third against the middle third's (the first third is warm-up:
   * the JIT, Aeron's log buffers filling). Medians, not peaks: faults raise open files for seconds
   * (a flood of hostile connections, reconnects after a partition), while a leak raises the level
   * itself. Runs shorter than {@link #JUDGED_AFTER_MS} are not judged.
   */
  static Flatness flatness(List<long[]> samples, long runMs) {
    if (runMs < JUDGED_AFTER_MS || samples.isEmpty()) {
      return new Flatness(false, 0, 0, 0, 0, List.of());
    }
    long t0 = samples.get(0)[0];
    List<long[]> middle = new ArrayList<>();
    List<long[]> last = new ArrayList<>();
    for (long[] s : samples) {
      if (s[0] - t0 >= 2 * runMs / 3) {
        last.add(s);
      } else if (s[0] - t0 >= runMs / 3) {
        middle.add(s);
      }
    }
    if (middle.isEmpty() || last.isEmpty()) {
      return new Flatness(false, 0, 0, 0, 0, List.of());
    }
    long midRss = median(middle, 1);
    long lastRss = median(last, 1);
    long midFds = median(middle, 2);
    long lastFds = median(last, 2);
    List<String> problems = new ArrayList<>();
    // Slack for a collector's heap and a restart's warm-up: 32 MB or a tenth, whichever is more.
    if (lastRss > midRss + Math.max(32 * 1024, midRss / 10)) {
      problems.add("resident memory grew");
    }
    if (lastFds > midFds + 32) {
      problems.add("open files grew");
    }
    return new Flatness(true, midRss, lastRss, midFds, lastFds, problems);
  }

  private static long median(List<long[]> samples, int column) {
    long[] v = samples.stream().mapToLong(s -> s[column]).sorted().toArray();
    return v[v.length / 2];
  }

  private static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1; // exited meanwhile
    }
    return -1;
  }

  private static int openFiles(long pid) {
    String[] fds = new File("/proc/" + pid + "/fd").list();
    return fds == null ? -1 : fds.length;
  }

  private static long parseOr(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
