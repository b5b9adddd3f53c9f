package io.epruntime.cli.run;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One flat JSON object on one line, for {@code ep run --json} and benchmark records. Flat values
 * only (numbers, strings, booleans), so a few lines here beat a JSON library on the CLI's path.
 */
public final class JsonLine {
  private final Map<String, String> fields = new LinkedHashMap<>();

  public JsonLine put(String key, long value) {
    fields.put(key, Long.toString(value));
    return this;
  }

  public JsonLine put(String key, double value) {
    fields.put(key, Double.isFinite(value) ? String.format(Locale.ROOT, "%.6g", value) : "null");
    return this;
  }

  public JsonLine put(String key, boolean value) {
    fields.put(key, Boolean.toString(value));
    return this;
  }

  public JsonLine put(String key, String value) {
    fields.put(key, value == null ? "null" : quote(value));
    return this;
  }

  /** Puts already-encoded JSON (an array or object built elsewhere) under {@code key}. */
  public JsonLine putRaw(String key, String json) {
    fields.put(key, json);
    return this;
  }

  /** Latency percentiles, rates and bytes moved: the fields a run summary and a bench phase share. */
  public JsonLine putSpeed(RunSnapshot s) {
    return put("p50_us", s.p50Nanos() / 1e3)
        .put("p99_us", s.p99Nanos() / 1e3)
        .put("max_us", s.maxNanos() / 1e3)
        .put("steps_per_s", s.stepsPerSecond())
        .put("tokens_per_s", s.tokensPerSecond())
        .put("dispatch_gbps", s.dispatchGbPerSecond())
        .put("combine_gbps", s.combineGbPerSecond())
        .put("dispatch_bytes", s.dispatchBytes())
        .put("combine_bytes", s.combineBytes());
  }

  /** The summary line of a run: the fields the README and tests rely on come first. */
  public static JsonLine of(RunSnapshot s) {
    return new JsonLine()
        .put("steps", s.plannedSteps())
        .put("verified", s.verified())
        .put("mismatches", s.mismatches())
        .put("unverified", s.unverified())
        .put("failed", s.failed())
        .put("retried", s.retried())
        .putSpeed(s)
        .put("ht_steps", s.htSteps())
        .put("ll_steps", s.llSteps())
        .put("generations", s.generations())
        .put("wall_s", s.elapsedSeconds())
        .put("ok", s.allVerified());
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("{");
    for (Map.Entry<String, String> e : fields.entrySet()) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append(quote(e.getKey())).append(':').append(e.getValue());
    }
    return b.append('}').toString();
  }

  public static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
