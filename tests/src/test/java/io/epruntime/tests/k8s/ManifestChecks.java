package io.epruntime.tests.k8s;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The invariants the runtime needs from any rendering of deploy/k8s, each violation one readable
 * line. Pod wiring (selectors, ports, probes, volumes) is in this class; the cluster contract
 * (rank, world size, seed nodes, configuration) in {@link ClusterContractChecks}.
 */
public final class ManifestChecks {
  private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  private final ManifestSet m;
  private final List<String> violations = new ArrayList<>();

  private ManifestChecks(ManifestSet m) {
    this.m = m;
  }

  /** Every violation in {@code m}; empty when the manifests keep the contract. */
  public static List<String> check(ManifestSet m) {
    ManifestChecks c = new ManifestChecks(m);
    for (HasMetadata o : m.objects()) {
      c.violations.addAll(UnknownFieldScan.scan(o, o.getKind() + "/" + o.getMetadata().getName()));
    }
    if (m.all(StatefulSet.class).size() != 1) {
      c.violations.add("expected exactly one StatefulSet, found " + m.all(StatefulSet.class).size());
      return c.violations;
    }
    c.checkPodWiring();
    c.checkProbes();
    c.checkVolumes();
    c.checkSecurityAndResources();
    c.checkServices();
    c.checkDisruptionBudgetAndNetworkPolicy();
    c.checkEnvReferences();
    c.violations.addAll(ClusterContractChecks.check(m));
    return c.violations;
  }

  private Map<String, String> templateLabels() {
    return Optional.ofNullable(m.statefulSet().getSpec().getTemplate().getMetadata().getLabels()).orElse(Map.of());
  }

  private void require(boolean ok, String violation) {
    if (!ok) {
      violations.add(violation);
    }
  }

  private boolean selects(Map<String, String> selector) {
    return selector != null && !selector.isEmpty() && templateLabels().entrySet().containsAll(selector.entrySet());
  }

  private boolean selects(LabelSelector selector) {
    return selector != null && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty()) && selects(selector.getMatchLabels());
  }

  private void checkPodWiring() {
    StatefulSet s = m.statefulSet();
    require(selects(s.getSpec().getSelector()), "StatefulSet " + s.getMetadata().getName() + ": selector " + s.getSpec().getSelector().getMatchLabels() + " does not match the template labels " + templateLabels());
    require("Parallel".equals(s.getSpec().getPodManagementPolicy()), "StatefulSet: podManagementPolicy must be Parallel (a rank is not ready before the whole world is), is " + s.getSpec().getPodManagementPolicy());
    require(s.getSpec().getTemplate().getSpec().getContainers().size() == 1, "StatefulSet: the pod template must have exactly one container (the rank)");
    Map<String, String> ann = Optional.ofNullable(s.getSpec().getTemplate().getMetadata().getAnnotations()).orElse(Map.of());
    require("true".equals(ann.get("prometheus.io/scrape")), "pod template: annotation prometheus.io/scrape must be \"true\"");
    require("/metrics".equals(ann.get("prometheus.io/path")), "pod template: annotation prometheus.io/path must be /metrics");
    require(Objects.equals(ann.get("prometheus.io/port"), String.valueOf(portNumber("management"))), "pod template: annotation prometheus.io/port " + ann.get("prometheus.io/port") + " is not the management port " + portNumber("management"));
    for (var c : Optional.ofNullable(s.getSpec().getTemplate().getSpec().getTopologySpreadConstraints()).orElse(List.of())) {
      require(selects(c.getLabelSelector()), "topologySpreadConstraint on " + c.getTopologyKey() + ": its labelSelector does not match the template labels");
    }
  }

  /** The container port named {@code name}, or -1. */
  int portNumber(String name) {
    for (ContainerPort p : Optional.ofNullable(m.nodeContainer().getPorts()).orElse(List.of())) {
      if (name.equals(p.getName())) {
        return p.getContainerPort();
      }
    }
    return -1;
  }

  /** Whether {@code port} (a name or a number) names a port of the rank container with {@code protocol}. */
  private boolean containerHas(IntOrString port, String protocol) {
    for (ContainerPort p : Optional.ofNullable(m.nodeContainer().getPorts()).orElse(List.of())) {
      boolean same = port.getStrVal() != null ? port.getStrVal().equals(p.getName()) : Objects.equals(port.getIntVal(), p.getContainerPort());
      if (same && Objects.equals(Optional.ofNullable(p.getProtocol()).orElse("TCP"), Optional.ofNullable(protocol).orElse("TCP"))) {
        return true;
      }
    }
    return false;
  }

  private void checkProbes() {
    Container c = m.nodeContainer();
    probe(c.getReadinessProbe(), "readinessProbe", "/ready");
    probe(c.getLivenessProbe(), "livenessProbe", "/alive");
    if (c.getStartupProbe() != null) {
      probe(c.getStartupProbe(), "startupProbe", null);
    }
  }

  private void probe(Probe p, String which, String path) {
    if (p == null || p.getHttpGet() == null) {
      violations.add("container " + m.nodeContainer().getName() + ": " + which + " must be an httpGet probe");
      return;
    }
    require(containerHas(p.getHttpGet().getPort(), "TCP"), which + ": port " + p.getHttpGet().getPort().getValue() + " is not a TCP port of the container");
    require(path == null || path.equals(p.getHttpGet().getPath()), which + ": path must be " + path + ", is " + p.getHttpGet().getPath());
  }

  private void checkVolumes() {
    PodSpec pod = m.statefulSet().getSpec().getTemplate().getSpec();
    Set<String> volumes = new HashSet<>();
    for (Volume v : Optional.ofNullable(pod.getVolumes()).orElse(List.of())) {
      volumes.add(v.getName());
    }
    Map<String, VolumeMount> mounts = new java.util.HashMap<>();
    for (VolumeMount vm : Optional.ofNullable(m.nodeContainer().getVolumeMounts()).orElse(List.of())) {
      require(volumes.contains(vm.getName()), "volumeMount " + vm.getMountPath() + ": no volume named " + vm.getName());
      mounts.put(vm.getMountPath(), vm);
    }
    Optional<Volume> shm = volumeAt(pod, mounts, "/dev/shm");
    require(shm.isPresent() && shm.get().getEmptyDir() != null && "Memory".equals(shm.get().getEmptyDir().getMedium()) && shm.get().getEmptyDir().getSizeLimit() != null,
        "/dev/shm must be a memory-backed emptyDir with a sizeLimit (Aeron and NCCL; the runtime default of 64 MB is too small)");
    Optional<Volume> tmp = volumeAt(pod, mounts, "/tmp");
    require(tmp.isPresent() && tmp.get().getEmptyDir() != null, "/tmp must be an emptyDir (the root file system is read-only)");
    for (Volume v : Optional.ofNullable(pod.getVolumes()).orElse(List.of())) {
      if (v.getConfigMap() != null) {
        require(m.named(ConfigMap.class, v.getConfigMap().getName()).isPresent(), "volume " + v.getName() + ": ConfigMap " + v.getConfigMap().getName() + " is not in the rendering");
      }
    }
    Quantity memLimit = limits().get("memory");
    if (shm.isPresent() && shm.get().getEmptyDir() != null && shm.get().getEmptyDir().getSizeLimit() != null && memLimit != null) {
      require(Quantity.getAmountInBytes(shm.get().getEmptyDir().getSizeLimit()).compareTo(Quantity.getAmountInBytes(memLimit)) < 0,
          "/dev/shm sizeLimit " + shm.get().getEmptyDir().getSizeLimit() + " must be below the memory limit " + memLimit + " (it counts against it)");
    }
  }

  private static Optional<Volume> volumeAt(PodSpec pod, Map<String, VolumeMount> mounts, String path) {
    VolumeMount vm = mounts.get(path);
    if (vm == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(pod.getVolumes()).orElse(List.of()).stream().filter(v -> v.getName().equals(vm.getName())).findFirst();
  }

  private Map<String, Quantity> limits() {
    var r = m.nodeContainer().getResources();
    return r == null || r.getLimits() == null ? Map.of() : r.getLimits();
  }

  private void checkSecurityAndResources() {
    PodSpec pod = m.statefulSet().getSpec().getTemplate().getSpec();
    var psc = pod.getSecurityContext();
    require(psc != null && Boolean.TRUE.equals(psc.getRunAsNonRoot()) && psc.getRunAsUser() != null && psc.getRunAsUser() != 0, "pod securityContext: runAsNonRoot must be true with a non-zero runAsUser");
    var csc = m.nodeContainer().getSecurityContext();
    require(csc != null && Boolean.TRUE.equals(csc.getReadOnlyRootFilesystem()) && Boolean.FALSE.equals(csc.getAllowPrivilegeEscalation()), "container securityContext: readOnlyRootFilesystem true and allowPrivilegeEscalation false");
    var r = m.nodeContainer().getResources();
    Map<String, Quantity> requests = r == null || r.getRequests() == null ? Map.of() : r.getRequests();
    require(requests.containsKey("cpu") && requests.containsKey("memory"), "resources: cpu and memory requests are required");
    require(!limits().containsKey("cpu"), "resources: no cpu limit (CFS throttling stalls heartbeats), found " + limits().get("cpu"));
    require(limits().containsKey("memory") && Objects.equals(requests.get("memory"), limits().get("memory")), "resources: memory request must equal the memory limit");
    Integer grace = pod.getTerminationGracePeriodSeconds() == null ? null : pod.getTerminationGracePeriodSeconds().intValue();
    var lifecycle = m.nodeContainer().getLifecycle();
    require(lifecycle != null && lifecycle.getPreStop() != null, "container: a preStop hook is required (leave the gateway's endpoints before SIGTERM)");
    if (lifecycle != null && lifecycle.getPreStop() != null && lifecycle.getPreStop().getSleep() != null) {
      require(grace != null && grace > lifecycle.getPreStop().getSleep().getSeconds() + 10, "terminationGracePeriodSeconds " + grace + " must leave CoordinatedShutdown > 10 s after the preStop sleep");
    }
  }

  private void checkServices() {
    for (Service svc : m.services()) {
      String name = svc.getMetadata().getName();
      require(selects(svc.getSpec().getSelector()), "Service " + name + ": selector " + svc.getSpec().getSelector() + " does not select the StatefulSet's pods " + templateLabels());
      for (ServicePort p : svc.getSpec().getPorts()) {
        IntOrString target = p.getTargetPort() != null ? p.getTargetPort() : new IntOrString(p.getPort());
        require(containerHas(target, p.getProtocol()), "Service " + name + ": port " + p.getName() + " targets " + target.getValue() + "/" + p.getProtocol() + ", which the container does not expose");
      }
    }
    String headless = m.statefulSet().getSpec().getServiceName();
    Optional<Service> h = m.named(Service.class, headless == null ? "" : headless);
    require(h.isPresent(), "StatefulSet serviceName " + headless + " names no Service in the rendering");
    h.ifPresent(s -> {
      require("None".equals(s.getSpec().getClusterIP()), "Service " + headless + " must be headless (clusterIP: None): it gives the pods their stable DNS names");
      require(Boolean.TRUE.equals(s.getSpec().getPublishNotReadyAddresses()), "Service " + headless + ": publishNotReadyAddresses must be true (seed nodes must resolve before any rank is ready)");
    });
    require(m.services().stream().anyMatch(s -> !s.getMetadata().getName().equals(headless)), "a client-facing Service for the gateway (besides the headless one) is required");
  }

  private void checkDisruptionBudgetAndNetworkPolicy() {
    require(!m.disruptionBudgets().isEmpty(), "a PodDisruptionBudget is required");
    for (PodDisruptionBudget pdb : m.disruptionBudgets()) {
      require(selects(pdb.getSpec().getSelector()), "PodDisruptionBudget " + pdb.getMetadata().getName() + ": selector does not match the StatefulSet's pods");
    }
    require(!m.networkPolicies().isEmpty(), "a NetworkPolicy is required");
    for (NetworkPolicy np : m.networkPolicies()) {
      String name = np.getMetadata().getName();
      require(selects(np.getSpec().getPodSelector()), "NetworkPolicy " + name + ": podSelector does not match the StatefulSet's pods");
      boolean admitsMembers = false;
      for (NetworkPolicyIngressRule rule : Optional.ofNullable(np.getSpec().getIngress()).orElse(List.of())) {
        require(rule.getFrom() != null && !rule.getFrom().isEmpty(), "NetworkPolicy " + name + ": an ingress rule without 'from' admits everyone");
        for (var peer : Optional.ofNullable(rule.getFrom()).orElse(List.of())) {
          admitsMembers |= peer.getNamespaceSelector() == null && peer.getPodSelector() != null && selects(peer.getPodSelector());
        }
        for (NetworkPolicyPort p : Optional.ofNullable(rule.getPorts()).orElse(List.of())) {
          require(p.getPort() != null && containerHas(p.getPort(), p.getProtocol()), "NetworkPolicy " + name + ": port " + (p.getPort() == null ? "(any)" : p.getPort().getValue()) + "/" + p.getProtocol() + " is not a container port");
        }
      }
      require(admitsMembers, "NetworkPolicy " + name + ": must admit the other ranks (a from.podSelector matching the StatefulSet's pods)");
    }
  }

  /** {@code $(VAR)} in an env value expands only to variables defined earlier in the list. */
  private void checkEnvReferences() {
    Set<String> defined = new HashSet<>();
    for (EnvVar e : Optional.ofNullable(m.nodeContainer().getEnv()).orElse(List.of())) {
      if (e.getValue() != null) {
        Matcher mm = VAR_REF.matcher(e.getValue());
        while (mm.find()) {
          require(defined.contains(mm.group(1)), "env " + e.getName() + " uses $(" + mm.group(1) + "), which is not defined before it (Kubernetes would pass it literally)");
        }
      }
      defined.add(e.getName());
    }
  }

  /** Parses a HOCON text, ignoring includes (the ConfigMap's file is checked on its own). */
  static Config hocon(String text) {
    return ConfigFactory.parseString(text, ConfigParseOptions.defaults().setAllowMissing(true));
  }
}
