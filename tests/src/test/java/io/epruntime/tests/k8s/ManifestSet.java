package io.epruntime.tests.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Rendered manifests parsed into fabric8's typed model, with look-ups by kind and name. */
public record ManifestSet(List<HasMetadata> objects) {

  /** Parses multi-document YAML; every document must be a Kubernetes object fabric8 knows. */
  public static ManifestSet parse(String yaml) {
    Object parsed = new KubernetesSerialization().unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    List<HasMetadata> out = new ArrayList<>();
    if (parsed instanceof KubernetesList list) {
      out.addAll(list.getItems());
    } else if (parsed instanceof List<?> list) {
      for (Object o : list) {
        out.add(requireObject(o));
      }
    } else {
      out.add(requireObject(parsed));
    }
    return new ManifestSet(List.copyOf(out));
  }

  private static HasMetadata requireObject(Object o) {
    if (o instanceof HasMetadata h) {
      return h;
    }
    throw new IllegalArgumentException("not a Kubernetes object: " + (o == null ? "null" : o.getClass().getName()));
  }

  /** The objects of one kind. */
  public <T extends HasMetadata> List<T> all(Class<T> kind) {
    List<T> out = new ArrayList<>();
    for (HasMetadata o : objects) {
      if (kind.isInstance(o)) {
        out.add(kind.cast(o));
      }
    }
    return out;
  }

  /** The object of a kind by name. */
  public <T extends HasMetadata> Optional<T> named(Class<T> kind, String name) {
    return all(kind).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
  }

  /** The one StatefulSet (deploy/k8s has exactly one). */
  public StatefulSet statefulSet() {
    List<StatefulSet> sets = all(StatefulSet.class);
    if (sets.size() != 1) {
      throw new IllegalStateException("expected one StatefulSet, found " + sets.size());
    }
    return sets.get(0);
  }

  /** The rank container of the StatefulSet's pod template. */
  public Container nodeContainer() {
    return statefulSet().getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  public List<Service> services() {
    return all(Service.class);
  }

  public List<ConfigMap> configMaps() {
    return all(ConfigMap.class);
  }

  public List<PodDisruptionBudget> disruptionBudgets() {
    return all(PodDisruptionBudget.class);
  }

  public List<NetworkPolicy> networkPolicies() {
    return all(NetworkPolicy.class);
  }
}
