package io.epruntime.tests.k8s;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The checks fail when they should: each case breaks one thing in a known-good rendering of the cpu
 * overlay (an exact text edit that must apply) and expects a violation naming it.
 */
class ManifestChecksCatchBreakageTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      typo in a selector field        | matchLabels:\\n      app.kubernetes.io/component: node\\n      app.kubernetes.io/name: ep-runtime\\n  serviceName | matchLabel:\\n      app.kubernetes.io/component: node\\n      app.kubernetes.io/name: ep-runtime\\n  serviceName | unknown field(s) [matchLabel]
      selector not matching the pods  | matchLabels:\\n      app.kubernetes.io/component: node\\n      app.kubernetes.io/name: ep-runtime\\n  serviceName | matchLabels:\\n      app.kubernetes.io/component: nodes\\n      app.kubernetes.io/name: ep-runtime\\n  serviceName | does not match the template labels
      probe on a port that is absent  | path: /ready\\n            port: management | path: /ready\\n            port: mgmt | readinessProbe: port mgmt
      world size not equal replicas   | name: EP_WORLD_SIZE\\n          value: "2" | name: EP_WORLD_SIZE\\n          value: "3" | must equal env EP_WORLD_SIZE 3
      rank not from the ordinal       | apps.kubernetes.io/pod-index | apps.kubernetes.io/pod-ordinal | EP_RANK must come from the pod ordinal
      seed naming a pod that is absent| ep-node-{rank}.ep-nodes:17355 | ep-node-5.ep-nodes:17355 | names pod ordinal 5
      seed naming another service     | ep-node-{rank}.ep-nodes:17355 | ep-node-{rank}.ep-gateway:17355 | is not <statefulset>-<ordinal>.ep-nodes
      headless service made ClusterIP | clusterIP: None\\n | clusterIP: 10.0.0.7\\n | must be headless
      ordered pod management          | podManagementPolicy: Parallel | podManagementPolicy: OrderedReady | must be Parallel
      shm on disk                     | medium: Memory\\n | medium: ""\\n | memory-backed emptyDir
      env used before it is defined   | value: $(POD_NAME).ep-nodes | value: $(POD_NAMES).ep-nodes | uses $(POD_NAMES)
      a cpu limit                     | limits:\\n            memory: 1Gi | limits:\\n            cpu: "2"\\n            memory: 1Gi | no cpu limit
      """)
  void checksReportTheBreakage(String what, String original, String broken, String expectedViolation) throws IOException {
    String yaml = baseline();
    String from = original.replace("\\n", "\n");
    String to = broken.replace("\\n", "\n");
    assertTrue(yaml.contains(from), what + ": the rendered overlay no longer contains the text this case edits:\n" + from);
    List<String> violations = ManifestChecks.check(ManifestSet.parse(yaml.replace(from, to)));
    assertTrue(violations.stream().anyMatch(v -> v.contains(expectedViolation)), what + ": expected a violation containing '" + expectedViolation + "', got " + violations);
  }

  @Test
  void theBaselineItselfKeepsTheContract() throws IOException {
    List<String> violations = ManifestChecks.check(ManifestSet.parse(baseline()));
    assertTrue(violations.isEmpty(), "baseline: " + violations);
  }

  /** A known-good rendering of the cpu overlay (test resource), so the edits do not depend on a renderer's formatting. */
  private static String baseline() throws IOException {
    try (InputStream in = ManifestChecksCatchBreakageTest.class.getResourceAsStream("/k8s/cpu-overlay-rendered.yaml")) {
      if (in == null) {
        throw new IllegalStateException("test resource /k8s/cpu-overlay-rendered.yaml is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
