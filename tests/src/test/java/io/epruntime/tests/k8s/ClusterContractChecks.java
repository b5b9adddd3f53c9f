package io.epruntime.tests.k8s;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cluster half of the contract: the rank comes from the pod ordinal, replicas equal the world
 * size, the node reads the ConfigMap it is given, and every seed node names a pod of this
 * StatefulSet through the headless Service on the remoting port.
 */
final class ClusterContractChecks {
  static final String POD_INDEX_LABEL = "metadata.labels['apps.kubernetes.io/pod-index']";
  private static final Pattern CONFIG_FILE = Pattern.compile("-Dconfig\\.file=(\\S+)");

  private final ManifestSet m;
  private final List<String> violations = new ArrayList<>();

  private ClusterContractChecks(ManifestSet m) {
    this.m = m;
  }

  static List<String> check(ManifestSet m) {
    ClusterContractChecks c = new ClusterContractChecks(m);
    c.checkRankAndWorldSize();
    c.configFile().ifPresent(c::checkConfig);
    return c.violations;
  }

  static Optional<EnvVar> env(ManifestSet m, String name) {
    return Optional.ofNullable(m.nodeContainer().getEnv()).orElse(List.of()).stream().filter(e -> name.equals(e.getName())).findFirst();
  }

  private void checkRankAndWorldSize() {
    Optional<EnvVar> rank = env(m, "EP_RANK");
    boolean fromOrdinal = rank.isPresent() && rank.get().getValueFrom() != null && rank.get().getValueFrom().getFieldRef() != null
        && POD_INDEX_LABEL.equals(rank.get().getValueFrom().getFieldRef().getFieldPath());
    if (!fromOrdinal) {
      violations.add("env EP_RANK must come from the pod ordinal (fieldRef " + POD_INDEX_LABEL + ")");
    }
    Integer replicas = m.statefulSet().getSpec().getReplicas();
    String worldSize = env(m, "EP_WORLD_SIZE").map(EnvVar::getValue).orElse(null);
    if (replicas == null || !String.valueOf(replicas).equals(worldSize)) {
      violations.add("replicas " + replicas + " must equal env EP_WORLD_SIZE " + worldSize + " (one pod per rank)");
    }
    String headless = m.statefulSet().getSpec().getServiceName();
    String host = env(m, "EP_HOST").map(EnvVar::getValue).orElse(null);
    if (!("$(POD_NAME)." + headless).equals(host)) {
      violations.add("env EP_HOST must be $(POD_NAME)." + headless + " (the pod's stable name, as the seed nodes spell it), is " + host);
    }
    String aeronPort = env(m, "EP_AERON_PORT").map(EnvVar::getValue).orElse(null);
    if (!String.valueOf(portNumber("aeron")).equals(aeronPort)) {
      violations.add("env EP_AERON_PORT " + aeronPort + " must be the container's UDP port 'aeron' " + portNumber("aeron"));
    }
  }

  /** The ConfigMap file -Dconfig.file names, read from the ConfigMap volume mounted over its directory. */
  private Optional<String> configFile() {
    String opts = env(m, "JAVA_OPTS").map(EnvVar::getValue).orElse("");
    Matcher mm = CONFIG_FILE.matcher(opts);
    if (!mm.find()) {
      violations.add("env JAVA_OPTS must select the mounted configuration with -Dconfig.file=...");
      return Optional.empty();
    }
    String file = mm.group(1);
    int slash = file.lastIndexOf('/');
    String dir = file.substring(0, slash);
    String key = file.substring(slash + 1);
    Optional<VolumeMount> mount = Optional.ofNullable(m.nodeContainer().getVolumeMounts()).orElse(List.of()).stream().filter(v -> dir.equals(v.getMountPath())).findFirst();
    Optional<Volume> volume = mount.flatMap(vm -> m.statefulSet().getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals(vm.getName())).findFirst());
    Optional<ConfigMap> cm = volume.filter(v -> v.getConfigMap() != null).flatMap(v -> m.named(ConfigMap.class, v.getConfigMap().getName()));
    Optional<String> text = cm.map(c -> c.getData() == null ? null : c.getData().get(key));
    if (text.isEmpty()) {
      violations.add("-Dconfig.file=" + file + ": no ConfigMap volume mounted at " + dir + " holds a key " + key);
    }
    return text;
  }

  private int portNumber(String name) {
    return Optional.ofNullable(m.nodeContainer().getPorts()).orElse(List.of()).stream().filter(p -> name.equals(p.getName())).mapToInt(p -> p.getContainerPort()).findFirst().orElse(-1);
  }

  private void checkConfig(String k8sConf) {
    Config conf;
    try {
      conf = ManifestChecks.hocon(k8sConf).withFallback(ConfigFactory.defaultReference()).resolve();
    } catch (ConfigException e) {
      violations.add("the ConfigMap's configuration does not load over reference.conf: " + e.getMessage());
      return;
    }
    int remoting = portNumber("remoting");
    expectInt(conf, "pekko.remote.artery.canonical.port", remoting, "the container port 'remoting'");
    expectInt(conf, "pekko.management.http.port", portNumber("management"), "the container port 'management'");
    StatefulSet s = m.statefulSet();
    String headless = s.getSpec().getServiceName();
    int replicas = Optional.ofNullable(s.getSpec().getReplicas()).orElse(1);
    Pattern seedPattern = Pattern.compile(Pattern.quote(s.getMetadata().getName()) + "-(\\d+|\\{rank\\})\\." + Pattern.quote(headless) + "(\\.[a-z0-9-]+\\.svc\\.cluster\\.local)?:(\\d+)");
    List<String> seeds = conf.hasPath("ep.cluster.seed-nodes") ? conf.getStringList("ep.cluster.seed-nodes") : List.of();
    if (seeds.isEmpty()) {
      violations.add("ep.cluster.seed-nodes is empty in the ConfigMap's configuration");
    }
    for (String seed : seeds) {
      Matcher sm = seedPattern.matcher(seed);
      if (!sm.matches()) {
        violations.add("seed node " + seed + " is not <statefulset>-<ordinal>." + headless + ":<port> of StatefulSet " + s.getMetadata().getName());
      } else if (!sm.group(1).equals("{rank}") && Integer.parseInt(sm.group(1)) >= replicas) {
        violations.add("seed node " + seed + " names pod ordinal " + sm.group(1) + ", but replicas is " + replicas + " (that pod never exists)");
      } else if (Integer.parseInt(sm.group(3)) != remoting) {
        violations.add("seed node " + seed + " uses port " + sm.group(3) + ", but the remoting port is " + remoting);
      }
    }
    if (conf.hasPath("ep.experts") && replicas > 0 && conf.getInt("ep.experts") % replicas != 0) {
      violations.add("ep.experts " + conf.getInt("ep.experts") + " is not divisible by the world size " + replicas);
    }
  }

  private void expectInt(Config conf, String path, int expected, String what) {
    if (!conf.hasPath(path) || conf.getInt(path) != expected) {
      violations.add(path + " = " + (conf.hasPath(path) ? conf.getValue(path).unwrapped() : "(unset)") + " must equal " + what + " " + expected);
    }
  }
}
