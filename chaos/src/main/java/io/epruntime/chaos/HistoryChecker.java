package io.epruntime.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a run's history (JSON lines, {@link History}) and checks it, independently of the runtime:
 * <ul>
 *   <li>0 wrong results: every {@code ok} matched the oracle;
 *   <li>0 lost steps: every {@code invoke} ended ({@code ok} or {@code fail}) within the bound, none timed out;
 *   <li>no step both failed and succeeded (a failure was not applied);
 *   <li>generations never go back, per client;
 *   <li>one sequencer at a time: no sequence number twice, and the sequence numbers of an older
 *       generation all lie below those of a newer one;
 *   <li>recovery: for each fault, the time from its start to the first {@code ok} of a step invoked
 *       after it started, within {@code recoveryBoundMs}.
 * </ul>
 * Also counts, per fault kind, what the report gives.
 */
final class HistoryChecker {
  record KindStats(int injected, int steps, int ok, int retried, int wrong, int lost, List<Double> recoveries) {}

  record Result(List<String> violations, Map<String, KindStats> kinds, ResourceWatch.Flatness resources) {}

  private record Op(int client, long req, long invokeMs, JsonNode end) {}

  private record FaultWindow(String kind, long startMs, long endMs) {}

  static Result check(Path file, long recoveryBoundMs) throws IOException {
    List<String> violations = new ArrayList<>();
    Map<String, Op> ops = new LinkedHashMap<>();
    List<FaultWindow> faults = new ArrayList<>();
    Map<String, Long> open = new HashMap<>();
    List<long[]> resources = new ArrayList<>();
    long lastMs = 0;
    for (String line : Files.readAllLines(file)) {
      JsonNode e = History.JSON.readTree(line);
      String type = e.path("type").asText();
      long t = e.path("t_ms").asLong();
      lastMs = Math.max(lastMs, t);
      if (type.equals("resources")) {
        resources.add(new long[] {t, e.path("rss_kb").asLong(), e.path("fds").asLong()});
        continue;
      }
      if (type.equals("fault")) {
        String kind = e.path("kind").asText();
        if (e.path("phase").asText().equals("start")) {
          open.put(kind, t);
        } else {
          faults.add(new FaultWindow(kind, open.remove(kind), t));
        }
        continue;
      }
      String key = e.path("client").asInt() + "/" + e.path("req").asLong();
      if (type.equals("invoke")) {
        if (ops.containsKey(key)) {
          violations.add("step " + key + " invoked twice");
        }
        ops.put(key, new Op(e.path("client").asInt(), e.path("req").asLong(), t, null));
      } else {
        Op op = ops.get(key);
        if (op == null) {
          violations.add("step " + key + " ended (" + type + ") without an invoke");
        } else if (op.end() != null) {
          violations.add("step " + key + " ended twice: " + op.end().path("type").asText() + " and " + type);
        } else {
          ops.put(key, new Op(op.client(), op.req(), op.invokeMs(), e));
        }
      }
    }

    Map<Integer, Long> lastGeneration = new HashMap<>();
    TreeMap<Long, long[]> seqRangeByGeneration = new TreeMap<>();
    Map<Long, String> seqs = new HashMap<>();
    for (Map.Entry<String, Op> entry : ops.entrySet()) {
      Op op = entry.getValue();
      JsonNode end = op.end();
      if (end == null || end.path("type").asText().equals("timeout")) {
        violations.add("lost: step " + entry.getKey() + " invoked at " + op.invokeMs() + " ms has no end within the bound");
        continue;
      }
      if (!end.path("type").asText().equals("ok")) {
        continue;
      }
      if (!end.path("right").asBoolean()) {
        violations.add("wrong: step " + entry.getKey() + ": " + end.path("wrong").asText());
      }
      long g = end.path("generation").asLong();
      long seq = end.path("seq").asLong();
      String other = seqs.put(seq, entry.getKey());
      if (other != null) {
        violations.add("sequence number " + seq + " given to steps " + other + " and " + entry.getKey());
      }
      seqRangeByGeneration.merge(g, new long[] {seq, seq}, (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
    }
    // Per client, in the order its steps ended: the generation never goes back.
    ops.values().stream().filter(o -> o.end() != null && o.end().path("type").asText().equals("ok"))
        .sorted((a, b) -> Long.compare(a.end().path("t_ms").asLong(), b.end().path("t_ms").asLong()))
        .forEach(o -> {
          long g = o.end().path("generation").asLong();
          Long before = lastGeneration.put(o.client(), g);
          if (before != null && g < before) {
            violations.add("client " + o.client() + " got generation " + g + " after " + before);
          }
        });
    long[] previous = null;
    long previousGeneration = 0;
    for (Map.Entry<Long, long[]> g : seqRangeByGeneration.entrySet()) {
      if (previous != null && g.getValue()[0] <= previous[1]) {
        violations.add("sequence numbers of generation " + g.getKey() + " (from " + g.getValue()[0] + ") overlap those of generation "
            + previousGeneration + " (to " + previous[1] + "): two sequencers");
      }
      previous = g.getValue();
      previousGeneration = g.getKey();
    }

    Map<String, KindStats> kinds = new TreeMap<>();
    faults.sort((a, b) -> Long.compare(a.startMs(), b.startMs()));
    for (int i = 0; i < faults.size(); i++) {
      FaultWindow f = faults.get(i);
      long windowEnd = i + 1 < faults.size() ? faults.get(i + 1).startMs() : Long.MAX_VALUE;
      int steps = 0;
      int ok = 0;
      int retried = 0;
      int wrong = 0;
      int lost = 0;
      List<Long> okTimes = new ArrayList<>();
      for (Op op : ops.values()) {
        if (op.invokeMs() < f.startMs() || op.invokeMs() >= windowEnd) {
          continue;
        }
        steps++;
        String type = op.end() == null ? "timeout" : op.end().path("type").asText();
        switch (type) {
          case "ok" -> {
            ok++;
            retried += op.end().path("attempts").asInt() > 1 ? 1 : 0;
            wrong += op.end().path("right").asBoolean() ? 0 : 1;
            if (op.end().path("t_ms").asLong() < windowEnd) {
              okTimes.add(op.end().path("t_ms").asLong()); // what completes in the next fault's time is that one's
            }
          }
          case "timeout" -> lost++;
          default -> { }
        }
      }
      double recovery = outageEnd(f.startMs(), okTimes) == Long.MAX_VALUE ? Double.NaN
          : (outageEnd(f.startMs(), okTimes) - f.startMs()) / 1000.0;
      if (Double.isNaN(recovery) || recovery * 1000 > recoveryBoundMs) {
        violations.add("fault " + f.kind() + " at " + f.startMs() + " ms: steps did not flow again within "
            + recoveryBoundMs / 1000 + " s (recovery " + recovery + " s)");
      }
      KindStats before = kinds.get(f.kind());
      List<Double> recoveries = new ArrayList<>(before == null ? List.of() : before.recoveries());
      recoveries.add(recovery);
      kinds.put(f.kind(), before == null
          ? new KindStats(1, steps, ok, retried, wrong, lost, recoveries)
          : new KindStats(before.injected() + 1, before.steps() + steps, before.ok() + ok, before.retried() + retried,
              before.wrong() + wrong, before.lost() + lost, recoveries));
    }
    ResourceWatch.Flatness flat = ResourceWatch.flatness(resources, lastMs);
    flat.problems().forEach(p -> violations.add("soak: " + p + " (" + flat + ")"));
    return new Result(violations, kinds, flat);
  }

  /** A pause in completions this long counts as an outage; shorter ones are a step's own time. */
  static final long OUTAGE_MS = 1_000;

  /**
   * When steps flowed again after the fault at {@code startMs}: the end of the longest pause
   * between successful completions after it (counting from the fault's start), when that pause is an
   * outage; the fault's start when steps never paused; never ({@code Long.MAX_VALUE}) when none succeeded.
   */
  static long outageEnd(long startMs, List<Long> okTimes) {
    if (okTimes.isEmpty()) {
      return Long.MAX_VALUE;
    }
    List<Long> sorted = okTimes.stream().sorted().toList();
    long previous = startMs;
    long longest = 0;
    long end = startMs;
    for (long t : sorted) {
      if (t - previous > longest) {
        longest = t - previous;
        end = t;
      }
      previous = t;
    }
    return longest >= OUTAGE_MS ? end : startMs;
  }

  /** The report's {@code faults} object: per kind its counts and recovery p50 and max in seconds. */
  static ObjectNode faults(Result r) {
    ObjectNode out = History.JSON.createObjectNode();
    r.kinds().forEach((kind, s) -> {
      List<Double> rec = s.recoveries().stream().filter(d -> !d.isNaN()).sorted().toList();
      out.putObject(kind).put("injected", s.injected()).put("steps", s.steps()).put("ok", s.ok()).put("retried", s.retried())
          .put("wrong", s.wrong()).put("lost", s.lost())
          .put("recovery_p50_s", rec.isEmpty() ? Double.NaN : rec.get(rec.size() / 2))
          .put("recovery_max_s", rec.isEmpty() ? Double.NaN : rec.get(rec.size() - 1));
    });
    return out;
  }
}
