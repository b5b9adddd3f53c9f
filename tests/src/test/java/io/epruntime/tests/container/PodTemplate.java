package io.epruntime.tests.container;

import io.epruntime.tests.k8s.KustomizeRenderer;
import io.epruntime.tests.k8s.ManifestSet;
import io.epruntime.tests.k8s.RepoPaths;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the kubelet would take from the rendered StatefulSet to start pod {@code <name>-<i>}: image,
 * args, environment (downward API and {@code $(VAR)} expansion done here), ports, probes, volumes,
 * user and memory limit. Anything in the template this emulation cannot honour is an error.
 */
record PodTemplate(ManifestSet manifests, String namespace, Map<String, Map<String, byte[]>> secrets) {
  private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  /** The template of an overlay of deploy/k8s, e.g. {@code cpu}. */
  static PodTemplate ofOverlay(String overlay) {
    return new PodTemplate(ManifestSet.parse(KustomizeRenderer.render(RepoPaths.overlay(overlay)).yaml()), "default", Map.of());
  }

  /** This template with Secret {@code name} holding {@code data}, as kubectl create secret would make it. */
  PodTemplate withSecret(String name, Map<String, byte[]> data) {
    Map<String, Map<String, byte[]>> all = new LinkedHashMap<>(secrets);
    all.put(name, Map.copyOf(data));
    return new PodTemplate(manifests, namespace, Map.copyOf(all));
  }

  StatefulSet statefulSet() {
    return manifests.statefulSet();
  }

  Container container() {
    return manifests.nodeContainer();
  }

  PodSpec podSpec() {
    return statefulSet().getSpec().getTemplate().getSpec();
  }

  String name() {
    return statefulSet().getMetadata().getName();
  }

  String headlessService() {
    return statefulSet().getSpec().getServiceName();
  }

  int replicas() {
    return statefulSet().getSpec().getReplicas();
  }

  String podName(int ordinal) {
    return name() + "-" + ordinal;
  }

  /** The DNS names the headless Service gives pod {@code ordinal}: short and fully qualified. */
  List<String> dnsNames(int ordinal) {
    String shortName = podName(ordinal) + "." + headlessService();
    return List.of(shortName, shortName + "." + namespace + ".svc.cluster.local");
  }

  /** The container's environment for pod {@code ordinal} with IP {@code podIp}, as the kubelet computes it. */
  Map<String, String> environment(int ordinal, String podIp) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar e : Optional.ofNullable(container().getEnv()).orElse(List.of())) {
      if (e.getValueFrom() != null) {
        env.put(e.getName(), downwardApi(e, ordinal, podIp));
      } else {
        env.put(e.getName(), expand(e.getValue() == null ? "" : e.getValue(), env));
      }
    }
    return env;
  }

  private String downwardApi(EnvVar e, int ordinal, String podIp) {
    var secretRef = e.getValueFrom().getSecretKeyRef();
    if (secretRef != null) {
      return new String(secretFile(secretRef.getName(), secretRef.getKey()), java.nio.charset.StandardCharsets.UTF_8);
    }
    if (e.getValueFrom().getFieldRef() == null) {
      throw new IllegalArgumentException("env " + e.getName() + ": only fieldRef and secretKeyRef are emulated, got " + e.getValueFrom());
    }
    String path = e.getValueFrom().getFieldRef().getFieldPath();
    return switch (path) {
      case "metadata.name" -> podName(ordinal);
      case "metadata.namespace" -> namespace;
      case "status.podIP" -> podIp;
      case "metadata.labels['apps.kubernetes.io/pod-index']" -> Integer.toString(ordinal);
      default -> throw new IllegalArgumentException("env " + e.getName() + ": fieldRef " + path + " is not emulated");
    };
  }

  /** Kubernetes' dependent-variable expansion: $(VAR) of an earlier variable, else left as is. */
  private static String expand(String value, Map<String, String> earlier) {
    Matcher m = VAR_REF.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = earlier.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(v != null ? v : m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The container port a probe (or anything else) names, by name or number. */
  int port(IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return container().getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no container port named " + port.getStrVal())).getContainerPort();
  }

  Probe readinessProbe() {
    return container().getReadinessProbe();
  }

  /** The memory limit in bytes. */
  long memoryLimitBytes() {
    return Quantity.getAmountInBytes(container().getResources().getLimits().get("memory")).longValueExact();
  }

  /** How long a deleted pod may take to stop before it is killed. */
  int terminationGraceSeconds() {
    Long g = podSpec().getTerminationGracePeriodSeconds();
    return g == null ? 30 : g.intValue();
  }

  /** Mount path -> the volume behind it. */
  Map<String, Volume> mounts() {
    Map<String, Volume> out = new LinkedHashMap<>();
    for (VolumeMount vm : container().getVolumeMounts()) {
      Volume v = podSpec().getVolumes().stream().filter(x -> x.getName().equals(vm.getName())).findFirst().orElseThrow();
      out.put(vm.getMountPath(), v);
    }
    return out;
  }

  /** Key {@code key} of Secret {@code name}; a missing one fails as the kubelet would refuse to start the pod. */
  byte[] secretFile(String name, String key) {
    Map<String, byte[]> data = secrets.get(name);
    if (data == null || !data.containsKey(key)) {
      throw new IllegalArgumentException("Secret " + name + " (key " + key + ") is not there: the pod would not start");
    }
    return data.get(key);
  }

  /** The files a Secret volume projects: its items, or every key. */
  Map<String, byte[]> secretFiles(Volume v) {
    String name = v.getSecret().getSecretName();
    Map<String, byte[]> out = new LinkedHashMap<>();
    if (v.getSecret().getItems() == null || v.getSecret().getItems().isEmpty()) {
      Map<String, byte[]> data = secrets.getOrDefault(name, Map.of());
      data.keySet().forEach(k -> out.put(k, secretFile(name, k)));
    } else {
      v.getSecret().getItems().forEach(i -> out.put(i.getPath(), secretFile(name, i.getKey())));
    }
    return out;
  }

  /** The files of the ConfigMap a volume projects. */
  Map<String, String> configMapFiles(Volume v) {
    ConfigMap cm = manifests.named(ConfigMap.class, v.getConfigMap().getName()).orElseThrow();
    return cm.getData();
  }
}
