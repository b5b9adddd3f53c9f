package io.epruntime.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A soak is flat when its last third's median levels stay near the middle third's. */
class ResourceWatchTest {
  private static final long RUN_MS = 30 * 60_000;

  private static List<long[]> samples(long rssGrowthKbPerMin, long fdGrowthPerMin) {
    List<long[]> out = new ArrayList<>();
    for (long t = 0; t <= RUN_MS; t += 5_000) {
      long minutes = t / 60_000;
      long warmUp = Math.min(minutes, 5) * 40_000; // Aeron's buffers fill in the first minutes
      out.add(new long[] {t, 200_000 + warmUp + rssGrowthKbPerMin * minutes, 120 + fdGrowthPerMin * minutes});
    }
    return out;
  }

  @Test
  void aLevelAfterWarmUpIsFlat() {
    ResourceWatch.Flatness f = ResourceWatch.flatness(samples(0, 0), RUN_MS);
    assertTrue(f.judged());
    assertEquals(List.of(), f.problems(), f.toString());
  }

  @Test
  void steadyGrowthOfMemoryOrFilesIsNot() {
    assertEquals(List.of("resident memory grew"), ResourceWatch.flatness(samples(10_000, 0), RUN_MS).problems());
    assertEquals(List.of("open files grew"), ResourceWatch.flatness(samples(0, 5), RUN_MS).problems());
  }

  @Test
  void aFaultsShortSpikesAreNotGrowth() {
    List<long[]> spiky = samples(0, 0);
    for (int i = spiky.size() - 40; i < spiky.size(); i += 10) {
      spiky.get(i)[2] = 600; // a hostile flood's sockets, for one sample
    }
    assertEquals(List.of(), ResourceWatch.flatness(spiky, RUN_MS).problems());
  }

  @Test
  void aShortRunIsNotJudged() {
    assertFalse(ResourceWatch.flatness(samples(10_000, 5), 5 * 60_000).judged());
  }
}
