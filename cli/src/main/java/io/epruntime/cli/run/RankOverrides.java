package io.epruntime.cli.run;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration keys a local run gives every rank, beyond addresses and ports: the world's
 * shape and the step limits. The names are those of the coordinator's reference.conf.
 */
final class RankOverrides {
  private RankOverrides() {}

  static Map<String, String> of(RunOptions o) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("ep.world-size", Integer.toString(o.ranks()));
    m.put("ep.experts", Integer.toString(o.experts()));
    m.put("ep.hidden", Integer.toString(o.hidden()));
    m.put("ep.topk", Integer.toString(o.topk()));
    m.put("ep.ll-max-tokens-per-rank", Integer.toString(o.llCapacity()));
    m.put("ep.max-tokens-per-rank", Integer.toString(Math.max(o.tokens(), Math.max(1, o.llCapacity()))));
    m.put("ep.dtype", o.dtype().configName());
    m.put("ep.step-timeout", o.stepTimeout().toSeconds() + "s");
    m.put("ep.max-in-flight", Integer.toString(Math.max(16, 2 * o.window())));
    // Local ranks share a machine that may be busy (a laptop, a CI runner, a build next door), where
    // a JVM pauses for seconds. Crashes are seen at once through Process.onExit anyway, so the
    // failure detectors here may be patient instead of ending generations on a slow heartbeat.
    m.put("pekko.cluster.failure-detector.acceptable-heartbeat-pause", "20s");
    m.put("ep.health.probe-misses", "30");
    return m;
  }
}
