package io.epruntime.cli.status;

import io.epruntime.cli.run.JsonLine;
import io.epruntime.client.ClusterStatus;
import io.epruntime.client.RankStatus;
import java.util.StringJoiner;

/** Renders a {@link ClusterStatus} as a readable table or one JSON line. */
final class StatusView {
  private StatusView() {}

  static String table(ClusterStatus s) {
    StringBuilder b = new StringBuilder();
    b.append("world       ").append(s.worldState()).append(", generation ").append(s.generation())
        .append(", ").append(s.worldSize()).append(" ranks\n");
    b.append("steps       ").append(s.stepsInFlight()).append(" in flight, ").append(s.stepsCompleted()).append(" completed\n\n");
    int addressWidth = "address".length();
    int healthWidth = "health".length();
    for (RankStatus r : s.ranks()) {
      addressWidth = Math.max(addressWidth, String.valueOf(r.address()).length());
      healthWidth = Math.max(healthWidth, String.valueOf(r.health()).length());
    }
    String format = "%-5s  %-" + addressWidth + "s  %-" + healthWidth + "s  %s%n";
    b.append(String.format(format, "rank", "address", "health", "last step"));
    for (RankStatus r : s.ranks()) {
      b.append(String.format(format, r.rank(), r.address(), r.health(), r.lastSeq() < 0 ? "-" : Long.toString(r.lastSeq())));
    }
    return b.toString();
  }

  static String json(ClusterStatus s) {
    StringJoiner ranks = new StringJoiner(",", "[", "]");
    for (RankStatus r : s.ranks()) {
      ranks.add(new JsonLine().put("rank", r.rank()).put("address", r.address()).put("health", r.health())
          .put("last_seq", r.lastSeq()).toString());
    }
    return new JsonLine().put("world_state", s.worldState()).put("generation", s.generation()).put("world_size", s.worldSize())
        .put("steps_in_flight", s.stepsInFlight()).put("steps_completed", s.stepsCompleted()).putRaw("ranks", ranks.toString())
        .toString();
  }
}
