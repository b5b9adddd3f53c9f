package io.epruntime.tests.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every overlay of deploy/k8s renders and keeps the pod contract; each overlay's own choices hold. */
class ManifestInvariantsTest {

  static Stream<String> overlays() throws Exception {
    try (Stream<Path> dirs = Files.list(RepoPaths.root().resolve("deploy/k8s/overlays"))) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  static ManifestSet rendered(String overlay) {
    KustomizeRenderer.Rendering r = KustomizeRenderer.render(RepoPaths.overlay(overlay));
    System.out.println("deploy/k8s/overlays/" + overlay + " rendered by " + r.renderedBy());
    return ManifestSet.parse(r.yaml());
  }

  @ParameterizedTest(name = "overlay {0}")
  @MethodSource("overlays")
  void everyOverlayKeepsThePodContract(String overlay) {
    ManifestSet m = rendered(overlay);
    List<String> violations = ManifestChecks.check(m);
    assertTrue(violations.isEmpty(), "deploy/k8s/overlays/" + overlay + ":\n  " + String.join("\n  ", violations));
    // The kinds the deployment is made of, each present once.
    List<String> kinds = m.objects().stream().map(o -> o.getKind()).sorted().toList();
    assertEquals(List.of("ConfigMap", "NetworkPolicy", "PodDisruptionBudget", "Service", "Service", "StatefulSet"), kinds);
  }

  @Test
  void bothOverlaysExist() throws Exception {
    assertEquals(List.of("cpu", "gpu"), overlays().toList());
  }

  @Test
  void cpuOverlayIsACpuOnlyWorldOfTheLocallyBuiltImage() {
    ManifestSet m = rendered("cpu");
    assertEquals("cpu", env(m, "EP_BACKEND"));
    assertEquals("ep-runtime:dev", m.nodeContainer().getImage(), "the image deploy/image/build.sh tags");
    assertFalse(m.nodeContainer().getResources().getLimits().containsKey("nvidia.com/gpu"), "a CPU-only cluster has no GPUs to give");
  }

  @Test
  void gpuOverlayGivesEveryRankOneGpuAndTheNcclBackend() {
    ManifestSet m = rendered("gpu");
    Map<String, Quantity> limits = m.nodeContainer().getResources().getLimits();
    assertEquals(new Quantity("1"), limits.get("nvidia.com/gpu"));
    assertEquals("nccl", env(m, "EP_BACKEND"));
    assertTrue(m.nodeContainer().getSecurityContext().getCapabilities().getAdd().contains("IPC_LOCK"), "pinned memory registration needs IPC_LOCK");
    assertEquals(List.of("ALL"), m.nodeContainer().getSecurityContext().getCapabilities().getDrop());
    assertNull(limits.get("cpu"));
  }

  private static String env(ManifestSet m, String name) {
    return ClusterContractChecks.env(m, name).map(EnvVar::getValue).orElse(null);
  }
}
