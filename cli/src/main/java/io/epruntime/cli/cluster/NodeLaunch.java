package io.epruntime.cli.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How to start one rank process: the {@code java} command line, extra environment and its log file.
 * Every setting travels as a {@code -D} system property, which Typesafe Config lays over the
 * reference configuration, so a local rank reads exactly what a container would.
 */
public record NodeLaunch(int rank, List<String> command, Map<String, String> environment, Path logFile) {

  /** The main class a rank process runs: {@code ep node}, which wraps the node main. */
  public static final String MAIN_CLASS = "io.epruntime.cli.EpCli";

  /** Builds the launch of every rank of {@code spec}, each ending when its parent's pipe to it closes. */
  public static List<NodeLaunch> plan(ClusterSpec spec) {
    return plan(spec, true);
  }

  /**
   * Builds the launch of every rank of {@code spec}; with {@code exitWithParent} each rank exits
   * when its standard input (a pipe from this process) closes, else it runs until stopped.
   */
  public static List<NodeLaunch> plan(ClusterSpec spec, boolean exitWithParent) {
    List<NodeLaunch> out = new ArrayList<>();
    for (PortPlan.NodePorts p : spec.ports().nodes()) {
      out.add(of(spec, p, exitWithParent));
    }
    return out;
  }

  private static NodeLaunch of(ClusterSpec spec, PortPlan.NodePorts p, boolean exitWithParent) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("ep.node.rank", Integer.toString(p.rank()));
    props.put("ep.node.host", spec.host());
    props.put("ep.backend", spec.backend());
    // Every node is a seed: the first forms the cluster, and a restarted one rejoins the running one.
    List<PortPlan.NodePorts> nodes = spec.ports().nodes();
    for (int i = 0; i < nodes.size(); i++) {
      props.put("ep.cluster.seed-nodes." + i, ClusterSpec.seedNode(spec.host(), nodes.get(i).remoting()));
    }
    props.put("pekko.remote.artery.canonical.hostname", spec.host());
    props.put("pekko.remote.artery.canonical.port", Integer.toString(p.remoting()));
    props.put("pekko.management.http.hostname", spec.host());
    props.put("pekko.management.http.port", Integer.toString(p.management()));
    props.put("ep.transport.bind-host", spec.host());
    props.put("ep.transport.port", Integer.toString(p.aeron()));
    props.putAll(spec.settings());
    if (spec.key() != null) {
      props.putAll(spec.key().nodeSettings());
    }

    List<String> cmd = new ArrayList<>();
    cmd.add(spec.javaExecutable());
    cmd.addAll(spec.jvmOptions());
    cmd.add("-cp");
    cmd.add(spec.classpath());
    props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add(MAIN_CLASS);
    cmd.add("node");
    if (exitWithParent) {
      cmd.add("--exit-on-stdin-eof");
    }

    Map<String, String> env = new LinkedHashMap<>();
    env.put("EP_RANK", Integer.toString(p.rank()));
    if (spec.key() != null) {
      env.putAll(spec.key().environment());
    }
    String gpu = spec.gpus().deviceOf(p.rank());
    if (spec.backend().equals("nccl") && gpu != null) {
      env.put("CUDA_VISIBLE_DEVICES", gpu);
    }
    if (spec.backend().equals("nccl")) {
      // Every kernel loaded at start: one loaded lazily on its first launch can make the context
      // wait for a peer's kernel spinning in a barrier (docs/gpu.md).
      env.put("CUDA_MODULE_LOADING", "EAGER");
    }
    return new NodeLaunch(p.rank(), List.copyOf(cmd), Map.copyOf(env), spec.runDir().resolve("rank-" + p.rank() + ".log"));
  }
}
