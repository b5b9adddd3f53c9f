package io.epruntime.tests.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epruntime.protocol.ep.StepTrace;
import io.epruntime.rank.NodeMetrics;
import io.epruntime.tests.k8s.RepoPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every query of deploy/grafana/ep-runtime-dashboard.json names only what a node's {@code /metrics}
 * exports (rendered here by the node's own {@link NodeMetrics}): metric names, label names and
 * the values of equality matchers; and the dashboard covers steps, step time, generation, rank
 * health and bytes.
 */
class DashboardQueriesTest {
  private static final Path DASHBOARD = RepoPaths.root().resolve("deploy/grafana/ep-runtime-dashboard.json");
  /** Labels Prometheus adds to every scraped series. */
  private static final Set<String> TARGET_LABELS = Set.of("instance", "job");

  @Test
  void everyQueryNamesExportedMetricsLabelsAndValues() throws IOException {
    Exported exported = Exported.of(exampleScrape());
    List<String> problems = new ArrayList<>();
    for (String expr : queries()) {
      Set<String> metrics = PromQl.metricNames(expr);
      if (metrics.isEmpty()) {
        problems.add(expr + ": selects no metric");
      }
      for (String metric : metrics) {
        if (!exported.labels().containsKey(metric)) {
          problems.add(expr + ": " + metric + " is not exported (exported: " + exported.labels().keySet() + ")");
        }
      }
      for (String label : PromQl.groupingLabels(expr)) {
        if (!label.equals("le") && !TARGET_LABELS.contains(label) && metrics.stream().noneMatch(m -> exported.labels(m).contains(label))) {
          problems.add(expr + ": no selected metric has label " + label);
        }
      }
      for (PromQl.Selector s : PromQl.selectors(expr)) {
        s.matchers().forEach((label, condition) -> {
          String value = condition.substring(1);
          if (!exported.labels(s.metric()).contains(label) && !TARGET_LABELS.contains(label)) {
            problems.add(expr + ": " + s.metric() + " has no label " + label);
          } else if (condition.startsWith("=") && !TARGET_LABELS.contains(label) && !exported.values(s.metric(), label).contains(value)) {
            problems.add(expr + ": " + s.metric() + "{" + label + "} never has the value " + value + " (exported: "
                + exported.values(s.metric(), label) + ")");
          }
        });
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void theDashboardShowsStepsTimeGenerationHealthAndBytes() throws IOException {
    Set<String> used = new TreeSet<>();
    for (String expr : queries()) {
      used.addAll(PromQl.metricNames(expr));
    }
    assertTrue(used.containsAll(List.of("ep_steps_total", "ep_step_seconds_bucket", "ep_generation", "ep_rank_healthy", "ep_bytes_total")),
        used.toString());
    String all = String.join("\n", queries());
    assertTrue(all.contains("histogram_quantile(0.99"), "a p99 of the step time");
    assertTrue(all.contains("by (outcome)"), "steps by outcome");
  }

  @Test
  void theQueryReaderFindsMetricsAndLeavesFunctionsKeywordsAndVariables() {
    assertEquals(Set.of("ep_step_seconds_bucket"),
        PromQl.metricNames("histogram_quantile(0.99, sum by (le) (rate(ep_step_seconds_bucket[$__rate_interval])))"));
    assertEquals(Set.of("ep_steps_total", "ep_generation"),
        PromQl.metricNames("sum(rate(ep_steps_total{outcome=\"ok\"}[5m])) / count(ep_generation) > 1e3"));
    assertEquals(Set.of("phase"), PromQl.groupingLabels("sum by (phase) (rate(ep_bytes_total[1m]))"));
    assertEquals(Map.of("outcome", "=ok"), PromQl.selectors("rate(ep_steps_total{outcome=\"ok\"}[1m])").get(0).matchers());
  }

  @Test
  void aQueryOfAMetricNobodyExportsIsCaught() {
    Exported exported = Exported.of(exampleScrape());
    Set<String> names = PromQl.metricNames("histogram_quantile(0.5, sum by (le) (rate(ep_step_latency_seconds_bucket[5m])))");
    assertFalse(exported.labels().keySet().containsAll(names));
  }

  /** What a node that ran a few steps serves on /metrics. */
  private static String exampleScrape() {
    NodeMetrics m = new NodeMetrics();
    m.stepFinished("ok", 2_000_000, 1024, 1024);
    m.stepFinished("world_changed", -1, 0, 0);
    m.generation(3);
    m.rankHealth(1, true);
    m.hop("sequencing", 20_000);
    m.rankHops(new StepTrace(1, 2, 3, 4, 5, 2_000_000, 400_000, 300_000));
    return m.renderPrometheus();
  }

  private static List<String> queries() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> out = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        out.add(target.path("expr").asText());
      }
    }
    assertFalse(out.isEmpty(), "no queries in " + DASHBOARD);
    return out;
  }

  /** Metric names of a Prometheus text scrape, each with its labels and the values seen. */
  record Exported(Map<String, Map<String, Set<String>>> byMetric) {
    static Exported of(String scrape) {
      Map<String, Map<String, Set<String>>> out = new TreeMap<>();
      for (String line : scrape.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
        Map<String, Set<String>> labels = out.computeIfAbsent(name, k -> new TreeMap<>());
        if (brace >= 0 && brace < space) {
          for (String pair : line.substring(brace + 1, line.indexOf('}')).split(",")) {
            String[] kv = pair.split("=", 2);
            labels.computeIfAbsent(kv[0], k -> new TreeSet<>()).add(kv[1].replace("\"", ""));
          }
        }
      }
      return new Exported(out);
    }

    Map<String, Map<String, Set<String>>> labels() {
      return byMetric;
    }

    Set<String> labels(String metric) {
      return byMetric.getOrDefault(metric, Map.of()).keySet();
    }

    Set<String> values(String metric, String label) {
      return byMetric.getOrDefault(metric, Map.of()).getOrDefault(label, Set.of());
    }
  }
}
