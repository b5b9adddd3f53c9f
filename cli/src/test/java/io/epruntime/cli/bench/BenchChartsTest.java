package io.epruntime.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.cli.run.RunSnapshot;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchChartsTest {

  private static BenchPhase phase(int tokens, String mode, double stepsPerSecond) {
    long elapsed = (long) (100 / stepsPerSecond * 1e9);
    RunSnapshot s = new RunSnapshot(100, 100, 100, 0, 0, 0, 0, 0, 1_000_000, 2_000_000, 3_000_000, 1_000, 1_000, 2_400, 1, 1, elapsed, null);
    long[] latencies = new long[100];
    for (int i = 0; i < latencies.length; i++) {
      latencies[i] = 500_000L + i * 10_000L;
    }
    return new BenchPhase(tokens, mode, 4, s, latencies);
  }

  @Test
  void writesSvgAndPngOfBothCharts(@TempDir Path dir) throws Exception {
    List<BenchPhase> phases = List.of(phase(8, "HT", 50), phase(8, "LL", 80), phase(32, "HT", 30), phase(32, "LL", 40));
    List<Path> files = BenchCharts.write(dir, "ep-bench-cpu", phases);
    assertEquals(4, files.size());
    String svg = Files.readString(dir.resolve("ep-bench-cpu-throughput.svg"));
    assertTrue(svg.startsWith("<svg ") && svg.contains("Throughput vs tokens per rank") && svg.contains(">HT</text>"), svg);
    assertTrue(Files.readString(dir.resolve("ep-bench-cpu-latency.svg")).contains("LL 32 tok"));
    BufferedImage png = ImageIO.read(dir.resolve("ep-bench-cpu-latency.png").toFile());
    assertEquals(LineChart.WIDTH, png.getWidth());
    assertEquals(LineChart.HEIGHT, png.getHeight());
  }

  @Test
  void throughputCountsAllRanksTokens() {
    // 2,400 tokens in 100 steps at 50 steps/s.
    assertEquals(1200, phase(8, "HT", 50).snapshot().tokensPerSecond(), 1e-6);
  }

  @Test
  void resultsJsonNamesMachineCommandAndPhases() {
    String json = BenchPhase.resultsJson(io.epruntime.cli.run.WorkloadAndOptionsTestAccess.world(), "cpu", "2026-01-01T00:00Z",
        "./ep bench --plot", "{\"cpus\":2}", List.of(phase(8, "HT", 50)), true);
    assertTrue(json.startsWith("{\"suite\":\"ep-bench-end-to-end\",\"backend\":\"cpu\",\"date\":\"2026-01-01T00:00Z\","
        + "\"command\":\"./ep bench --plot\",\"machine\":{\"cpus\":2},\"config\":{\"ranks\":2,"), json);
    assertTrue(json.contains("\"results\":[{\"tokens_per_rank_max\":8,\"mode\":\"HT\",\"steps\":100,\"verified\":100,"), json);
  }
}
