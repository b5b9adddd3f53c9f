package io.epruntime.tests.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The part of Kubernetes' strategic merge patch that deploy/k8s's overlays use: maps merge deeply,
 * a null deletes a key, lists of the pod spec with a patch merge key merge element by element
 * (patched elements first, in patch order, then the untouched ones, as kustomize emits them), and
 * every other list is replaced.
 */
final class StrategicMerge {
  /** Field name of a list -> the key its elements merge on (from the Kubernetes API's patchMergeKey). */
  private static final Map<String, String> MERGE_KEYS = Map.of(
      "containers", "name",
      "initContainers", "name",
      "env", "name",
      "volumes", "name",
      "volumeMounts", "mountPath",
      "ports", "containerPort",
      "topologySpreadConstraints", "topologyKey",
      "imagePullSecrets", "name");

  private StrategicMerge() {}

  /** Applies {@code patch} to {@code target} in place. */
  static void apply(ObjectNode target, ObjectNode patch) {
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String field = e.getKey();
      JsonNode value = e.getValue();
      JsonNode current = target.get(field);
      if (value.isNull()) {
        target.remove(field);
      } else if (value.isObject() && current != null && current.isObject()) {
        apply((ObjectNode) current, (ObjectNode) value);
      } else if (value.isArray() && current != null && current.isArray() && MERGE_KEYS.containsKey(field)) {
        target.set(field, mergeList((ArrayNode) current, (ArrayNode) value, MERGE_KEYS.get(field)));
      } else {
        target.set(field, value.deepCopy());
      }
    }
  }

  private static ArrayNode mergeList(ArrayNode current, ArrayNode patch, String key) {
    List<JsonNode> untouched = new ArrayList<>();
    current.forEach(untouched::add);
    ArrayNode out = current.arrayNode();
    for (JsonNode p : patch) {
      JsonNode match = null;
      for (JsonNode c : untouched) {
        if (c.path(key).equals(p.path(key))) {
          match = c;
          break;
        }
      }
      if (match == null) {
        out.add(p.deepCopy());
      } else {
        untouched.remove(match);
        ObjectNode merged = (ObjectNode) match.deepCopy();
        apply(merged, (ObjectNode) p);
        out.add(merged);
      }
    }
    untouched.forEach(out::add);
    return out;
  }
}
