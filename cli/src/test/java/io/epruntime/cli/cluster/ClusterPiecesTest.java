package io.epruntime.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.cli.CliException;
import io.epruntime.cli.ExitCode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterPiecesTest {

  @Test
  void freePortsAreDistinct() {
    PortPlan plan = PortPlan.free(4, "127.0.0.1");
    Set<Integer> seen = new HashSet<>();
    for (PortPlan.NodePorts p : plan.nodes()) {
      assertTrue(seen.add(p.remoting()) && seen.add(p.management()), "ports repeat: " + plan);
      assertEquals(0, p.aeron());
    }
    assertEquals(List.of("127.0.0.1:" + plan.nodes().get(0).remoting()), plan.gateways("127.0.0.1").subList(0, 1));
  }

  @Test
  void aBasePortInUseIsAnEnvironmentErrorNamingThePort() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int base = taken.getLocalPort();
      CliException e = assertThrows(CliException.class, () -> PortPlan.fromBase(2, "127.0.0.1", base));
      assertEquals(ExitCode.ENVIRONMENT, e.exitCode());
      assertTrue(e.getMessage().startsWith("TCP port 127.0.0.1:" + base + " (rank 0 Pekko remoting) is in use"), e.getMessage());
      assertTrue(e.getMessage().contains("--base-port"), e.getMessage());
    }
  }

  @Test
  void baseLayoutIsRemotingThenManagementThenAeron() {
    assertThrows(CliException.class, () -> PortPlan.fromBase(2, "127.0.0.1", 65_534));
  }

  @Test
  void backendChoice() {
    assertEquals("cpu", BackendChoice.resolve(BackendChoice.Requested.auto, 4, 0, null));
    assertEquals("cpu", BackendChoice.resolve(BackendChoice.Requested.auto, 4, 2, null));
    assertEquals("nccl", BackendChoice.resolve(BackendChoice.Requested.auto, 4, 8, null));
    assertEquals("cpu", BackendChoice.resolve(BackendChoice.Requested.auto, 4, 8, "libep.so not found"));
    assertEquals("cpu", BackendChoice.resolve(BackendChoice.Requested.cpu, 4, 8, null));
    CliException none = assertThrows(CliException.class, () -> BackendChoice.resolve(BackendChoice.Requested.nccl, 4, 0, null));
    assertEquals(ExitCode.ENVIRONMENT, none.exitCode());
    assertTrue(none.getMessage().startsWith("--backend nccl needs a GPU but none is visible"), none.getMessage());
    CliException few = assertThrows(CliException.class, () -> BackendChoice.resolve(BackendChoice.Requested.nccl, 4, 2, null));
    assertTrue(few.getMessage().contains("--ranks = 4 but 2 GPU(s)"), few.getMessage());
    CliException lib = assertThrows(CliException.class, () -> BackendChoice.resolve(BackendChoice.Requested.nccl, 1, 1, "no libnccl.so.2"));
    assertTrue(lib.getMessage().endsWith("no libnccl.so.2"), lib.getMessage());
  }

  @Test
  void gpuProbeReadsTheDriverAndCudaVisibleDevices(@TempDir Path dir) throws IOException {
    Path proc = Files.createDirectories(dir.resolve("gpus"));
    Path dev = Files.createDirectories(dir.resolve("dev"));
    assertEquals(0, GpuProbe.visibleGpus(proc, dev, null));
    Files.createDirectory(proc.resolve("0000:01:00.0"));
    Files.createDirectory(proc.resolve("0000:02:00.0"));
    assertEquals(2, GpuProbe.visibleGpus(proc, dev, null));
    assertEquals(1, GpuProbe.visibleGpus(proc, dev, "1"));
    assertEquals(0, GpuProbe.visibleGpus(proc, dev, ""));
    assertEquals(0, GpuProbe.visibleGpus(proc, dev, "-1"));
    Files.createFile(dev.resolve("nvidia0"));
    Files.createFile(dev.resolve("nvidiactl"));
    assertEquals(1, GpuProbe.visibleGpus(dir.resolve("absent"), dev, null));
  }

  @Test
  void nodeLaunchCarriesRankPortsSeedAndShape(@TempDir Path dir) {
    PortPlan ports = new PortPlan(List.of(new PortPlan.NodePorts(0, 2551, 8551, 0), new PortPlan.NodePorts(1, 2552, 8552, 0)));
    ClusterSpec spec = new ClusterSpec(2, "127.0.0.1", ports, "nccl", Map.of("ep.experts", "8"), "/bin/java",
        List.of("-Xmx1g"), "a.jar:b.jar", dir, GpuPlacement.plan(2, 0, null, 2), new ClusterKey(dir.resolve("k.p12"), "s3cret-pw"));
    NodeLaunch second = NodeLaunch.plan(spec).get(1);
    List<String> cmd = second.command();
    assertEquals("/bin/java", cmd.get(0));
    assertEquals("-Xmx1g", cmd.get(1));
    assertTrue(cmd.contains("-Dep.node.rank=1"), cmd.toString());
    assertTrue(cmd.contains("-Dep.cluster.seed-nodes.0=127.0.0.1:2551"), cmd.toString());
    assertTrue(cmd.contains("-Dep.cluster.seed-nodes.1=127.0.0.1:2552"), "every node is a seed: " + cmd);
    assertTrue(cmd.contains("-Dpekko.remote.artery.canonical.port=2552"), cmd.toString());
    assertTrue(cmd.contains("-Dep.experts=8"), cmd.toString());
    assertEquals(List.of(NodeLaunch.MAIN_CLASS, "node", "--exit-on-stdin-eof"), cmd.subList(cmd.size() - 3, cmd.size()));
    assertEquals("1", second.environment().get("CUDA_VISIBLE_DEVICES"));
    assertEquals("EAGER", second.environment().get("CUDA_MODULE_LOADING"), "nccl ranks load every kernel at start");
    assertTrue(cmd.contains("-Dep.security.key-store=" + dir.resolve("k.p12")), cmd.toString());
    assertEquals("s3cret-pw", second.environment().get("EP_KEY_STORE_PASSWORD"));
    assertTrue(cmd.stream().noneMatch(a -> a.contains("s3cret-pw")), "the password never goes on the command line: " + cmd);
    assertEquals(dir.resolve("rank-1.log"), second.logFile());
  }
  @Test
  void gpuPlacementSharesGpusRoundRobinAndHonoursTheInheritedDevices() {
    assertEquals(List.of("0", "1", "2", "3"), GpuPlacement.plan(4, 0, null, 4).devices());
    assertEquals(List.of("0", "0", "0", "0"), GpuPlacement.plan(4, 1, null, 1).devices());
    assertEquals(List.of("5", "7", "5", "7"), GpuPlacement.plan(4, 2, "5,7", 2).devices());
    assertEquals(List.of("3", "3"), GpuPlacement.plan(2, 1, " 3 ", 1).devices());
    assertEquals(1, GpuPlacement.plan(4, 1, null, 8).gpus());
    CliException few = assertThrows(CliException.class, () -> GpuPlacement.plan(4, 0, null, 2));
    assertTrue(few.getMessage().contains("--gpus 2"), few.getMessage());
    CliException many = assertThrows(CliException.class, () -> GpuPlacement.plan(2, 3, null, 8));
    assertTrue(many.getMessage().contains("--gpus = 3"), many.getMessage());
    assertEquals("nccl", BackendChoice.resolve(BackendChoice.Requested.nccl, 4, 1, 1, null));
    assertEquals("nccl", BackendChoice.resolve(BackendChoice.Requested.auto, 4, 1, 1, null));
    assertEquals("cpu", BackendChoice.resolve(BackendChoice.Requested.auto, 4, 2, 1, null));
  }


  @Test
  void aRankThatDiesFailsTheClusterWithItsLogTail(@TempDir Path dir) throws Exception {
    NodeLaunch dying = new NodeLaunch(3, List.of("sh", "-c", "echo cannot bind port; exit 7"), Map.of(), dir.resolve("rank-3.log"));
    try (LocalCluster cluster = LocalCluster.start(List.of(dying))) {
      CliException e = cluster.failure().get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(ExitCode.CLUSTER, e.exitCode());
      assertTrue(e.getMessage().startsWith("rank 3 (pid "), e.getMessage());
      assertTrue(e.getMessage().contains("exited with status 7"), e.getMessage());
      assertTrue(e.getMessage().contains("| cannot bind port"), e.getMessage());
    }
  }

  @Test
  void closeStopsRanksAndIsNotAFailure(@TempDir Path dir) throws Exception {
    NodeLaunch sleeper = new NodeLaunch(0, List.of("sleep", "600"), Map.of(), dir.resolve("rank-0.log"));
    LocalCluster cluster = LocalCluster.start(List.of(sleeper));
    long pid = cluster.pids().get(0);
    assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    cluster.close();
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    assertFalse(cluster.failure().isDone());
  }
}
