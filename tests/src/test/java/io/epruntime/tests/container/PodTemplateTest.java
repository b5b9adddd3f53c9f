package io.epruntime.tests.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kubelet emulation the container test relies on, checked without Docker. */
class PodTemplateTest {
  private final PodTemplate cpu = PodTemplate.ofOverlay("cpu");

  @Test
  void environmentIsWhatTheKubeletWouldComputeForAnOrdinal() {
    Map<String, String> env = cpu.environment(1, "10.9.8.7");
    assertEquals("1", env.get("EP_RANK"));
    assertEquals("ep-node-1", env.get("POD_NAME"));
    assertEquals("ep-node-1.ep-nodes", env.get("EP_HOST"));
    assertEquals("10.9.8.7", env.get("EP_AERON_ADVERTISED_HOST"));
    assertEquals("/dev/shm/aeron-ep-node-1", env.get("EP_AERON_DIR"));
    assertEquals(String.valueOf(cpu.replicas()), env.get("EP_WORLD_SIZE"));
    assertTrue(env.values().stream().noneMatch(v -> v.contains("$(")), "unexpanded reference left in " + env);
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
    cpu.mounts().forEach((path, v) -> assertTrue(v.getEmptyDir() != null || v.getConfigMap() != null, path + " is neither an emptyDir nor a ConfigMap"));
    assertTrue(cpu.configMapFiles(cpu.mounts().get("/etc/ep")).containsKey("k8s.conf"));
  }
}
