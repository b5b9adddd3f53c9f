package io.epruntime.tests.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fallback renderer is trusted only as far as it agrees with kubectl: where kubectl exists,
 * both renderings of every overlay must be the same objects (ConfigMap hash suffixes aside).
 */
class SubsetKustomizeTest {

  static java.util.stream.Stream<String> overlays() throws Exception {
    return ManifestInvariantsTest.overlays();
  }

  @ParameterizedTest(name = "overlay {0}")
  @MethodSource("overlays")
  void rendersTheSameObjectsAsKubectl(String overlay) {
    String missing = KustomizeRenderer.kubectlMissingReason();
    Assumptions.assumeTrue(missing == null, "kubectl part skipped: " + missing + " (SubsetKustomize alone renders the overlays)");
    Optional<String> kubectl = KustomizeRenderer.withKubectl(RepoPaths.overlay(overlay));
    Map<String, JsonNode> expected = byKindAndName(kubectl.orElseThrow().replaceAll("(ep-conf)-[a-z0-9]{10}\\b", "$1"));
    Map<String, JsonNode> actual = byKindAndName(SubsetKustomize.render(RepoPaths.overlay(overlay)));
    assertEquals(expected.keySet(), actual.keySet());
    for (String key : expected.keySet()) {
      assertEquals(expected.get(key), actual.get(key), overlay + ": " + key + " differs between kubectl and SubsetKustomize");
    }
  }

  @ParameterizedTest(name = "overlay {0}")
  @MethodSource("overlays")
  void rendersEveryOverlayWithoutKubectl(String overlay) {
    assertTrue(ManifestChecks.check(ManifestSet.parse(SubsetKustomize.render(RepoPaths.overlay(overlay)))).isEmpty());
  }

  @Test
  void refusesKustomizeFeaturesItDoesNotImplement(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("kustomization.yaml"), "resources: []\nnamePrefix: x-\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SubsetKustomize.render(dir));
    assertTrue(e.getMessage().contains("'namePrefix' is not supported"), e.getMessage());
  }

  @Test
  void refusesFilesOutsideTheKustomizationRootAsKustomizeDoes(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("app.conf"), "a = 1\n");
    Path root = Files.createDirectories(dir.resolve("base"));
    Files.writeString(root.resolve("kustomization.yaml"), "configMapGenerator:\n  - name: c\n    files:\n      - app.conf=../app.conf\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SubsetKustomize.render(root));
    assertTrue(e.getMessage().contains("is not in or below"), e.getMessage());
  }

  @Test
  void strategicMergeMergesNamedListsAndDeletesNulls() {
    ObjectNode target = (ObjectNode) SubsetKustomize.readAll("env: [{name: A, value: '1'}, {name: B, value: '2'}]\nlimits: {cpu: '1', memory: 1Gi}\nargs: [x, y]\n").get(0);
    ObjectNode patch = (ObjectNode) SubsetKustomize.readAll("env: [{name: B, value: '3'}, {name: C, value: '4'}]\nlimits: {cpu: null}\nargs: [z]\n").get(0);
    StrategicMerge.apply(target, patch);
    assertEquals(SubsetKustomize.readAll("env: [{name: B, value: '3'}, {name: C, value: '4'}, {name: A, value: '1'}]\nlimits: {memory: 1Gi}\nargs: [z]\n").get(0), target);
  }

  private static Map<String, JsonNode> byKindAndName(String yaml) {
    Map<String, JsonNode> out = new TreeMap<>();
    for (ObjectNode o : SubsetKustomize.readAll(yaml)) {
      out.put(o.path("kind").asText() + "/" + o.path("metadata").path("name").asText(), o);
    }
    return out;
  }
}
