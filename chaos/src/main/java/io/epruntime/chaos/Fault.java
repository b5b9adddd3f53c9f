package io.epruntime.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One fault of a schedule: its kind (the report's key), the rank it hits, and a variant (10 %
 * rather than 1 % loss; a one-way rather than a symmetric partition; SIGSTOP longer than the
 * failure detector's patience).
 */
record Fault(String kind, int rank, boolean variant) {
  static final List<String> KINDS = List.of("loss", "partition", "kill", "pause", "slow", "coordinator", "hostile");

  /**
   * A seeded schedule: every kind {@code rounds} times, in a shuffled order, each on a random rank
   * other than 0 (the coordinator's kind picks the coordinator's rank when it strikes). The same
   * seed gives the same schedule.
   */
  static List<Fault> schedule(long seed, int rounds) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Fault> out = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      List<String> kinds = new ArrayList<>(KINDS);
      for (int i = kinds.size() - 1; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        kinds.set(i, kinds.set(j, kinds.get(i)));
      }
      for (String k : kinds) {
        out.add(new Fault(k, 1 + rnd.nextInt(ChaosCluster.WORLD - 1), rnd.nextBoolean()));
      }
    }
    return out;
  }
}
