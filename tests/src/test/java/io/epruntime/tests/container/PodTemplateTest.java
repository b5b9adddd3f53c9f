package io.epruntime.tests.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kubelet emulation the container test relies on, checked without Docker. */
class PodTemplateTest {
  private final PodTemplate cpu = PodTemplate.ofOverlay("cpu").withSecret("ep-tls",
      Map.of("cluster.p12", new byte[] {1, 2, 3}, "EP_KEY_STORE_PASSWORD", "s3cret".getBytes(StandardCharsets.UTF_8)));

  @Test
  void environmentIsWhatTheKubeletWouldComputeForAnOrdinal() {
    Map<String, String> env = cpu.environment(1, "10.9.8.7");
    assertEquals("1", env.get("EP_RANK"));
    assertEquals("ep-node-1", env.get("POD_NAME"));
    assertEquals("ep-node-1.ep-nodes", env.get("EP_HOST"));
    assertEquals("10.9.8.7", env.get("EP_AERON_ADVERTISED_HOST"));
    assertEquals("/dev/shm/aeron-ep-node-1", env.get("EP_AERON_DIR"));
    assertEquals(String.valueOf(cpu.replicas()), env.get("EP_WORLD_SIZE"));
    assertEquals("/etc/ep-tls/cluster.p12", env.get("EP_KEY_STORE"));
    assertEquals("s3cret", env.get("EP_KEY_STORE_PASSWORD"), "from the Secret");
    assertTrue(env.values().stream().noneMatch(v -> v.contains("$(")), "unexpanded reference left in " + env);
    IllegalArgumentException noSecret = assertThrows(IllegalArgumentException.class,
        () -> PodTemplate.ofOverlay("cpu").environment(1, "10.9.8.7"));
    assertTrue(noSecret.getMessage().contains("Secret ep-tls"), noSecret.getMessage());
  }

  @Test
  void podNamesAndDnsNamesFollowTheStatefulSetAndHeadlessService() {
    assertEquals("ep-node-0", cpu.podName(0));
    assertEquals(List.of("ep-node-0.ep-nodes", "ep-node-0.ep-nodes.default.svc.cluster.local"), cpu.dnsNames(0));
  }

  @Test
  void readinessProbeAndVolumesAreEmulatable() {
    assertEquals(7626, cpu.port(cpu.readinessProbe().getHttpGet().getPort()));
    assertEquals("/ready", cpu.readinessProbe().getHttpGet().getPath());
    cpu.mounts().forEach((path, v) -> assertTrue(v.getEmptyDir() != null || v.getConfigMap() != null || v.getSecret() != null,
        path + " is neither an emptyDir, a ConfigMap nor a Secret"));
    assertTrue(cpu.configMapFiles(cpu.mounts().get("/etc/ep")).containsKey("k8s.conf"));
    assertEquals(List.of("cluster.p12"), List.copyOf(cpu.secretFiles(cpu.mounts().get("/etc/ep-tls")).keySet()));
  }
}
