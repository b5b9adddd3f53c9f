package io.epruntime.tests.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A kustomize for machines without kubectl, covering only what deploy/k8s uses: {@code resources}
 * (files and directories), {@code configMapGenerator} with {@code files}, and {@code patches} given
 * by {@code path} as strategic-merge patches ({@link StrategicMerge}). Anything else in a
 * kustomization is an error naming the key, never silently ignored. Generated ConfigMaps keep their
 * plain name (kustomize appends a content hash; the checks do not depend on it).
 */
public final class SubsetKustomize {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
  private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "resources", "configMapGenerator", "patches");

  private SubsetKustomize() {}

  /** Renders the kustomization in {@code dir} to multi-document YAML. */
  public static String render(Path dir) {
    StringWriter out = new StringWriter();
    for (ObjectNode doc : build(dir)) {
      try {
        out.write("---\n");
        out.write(YAML.writeValueAsString(doc));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out.toString();
  }

  /** The rendered objects of the kustomization in {@code dir}. */
  public static List<ObjectNode> build(Path dir) {
    Path file = dir.resolve("kustomization.yaml");
    JsonNode k = readOne(file);
    for (Iterator<String> it = k.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!SUPPORTED.contains(key)) {
        throw new IllegalArgumentException(file + ": kustomization key '" + key + "' is not supported by SubsetKustomize (supported: " + SUPPORTED + "); render with kubectl");
      }
    }
    List<ObjectNode> objects = new ArrayList<>();
    for (JsonNode r : k.path("resources")) {
      Path p = dir.resolve(r.asText()).normalize();
      objects.addAll(Files.isDirectory(p) ? build(p) : readAll(p));
    }
    for (JsonNode g : k.path("configMapGenerator")) {
      objects.add(configMap(dir, g));
    }
    for (JsonNode patch : k.path("patches")) {
      if (!patch.has("path") || patch.size() != 1) {
        throw new IllegalArgumentException(dir + ": only patches given as {path: file} are supported, got " + patch);
      }
      ObjectNode smp = (ObjectNode) readOne(insideRoot(dir, patch.get("path").asText(), "patch"));
      ObjectNode target = find(objects, smp.path("kind").asText(), smp.path("metadata").path("name").asText(), dir);
      StrategicMerge.apply(target, smp);
    }
    return objects;
  }

  private static ObjectNode configMap(Path dir, JsonNode generator) {
    ObjectNode cm = YAML.createObjectNode();
    cm.put("apiVersion", "v1");
    cm.put("kind", "ConfigMap");
    cm.putObject("metadata").put("name", generator.path("name").asText());
    ObjectNode data = cm.putObject("data");
    for (JsonNode f : generator.path("files")) {
      String spec = f.asText();
      int eq = spec.indexOf('=');
      Path source = insideRoot(dir, eq < 0 ? spec : spec.substring(eq + 1), "configMapGenerator " + generator.path("name").asText());
      String key = eq < 0 ? source.getFileName().toString() : spec.substring(0, eq);
      try {
        data.put(key, Files.readString(source));
      } catch (IOException e) {
        throw new UncheckedIOException("configMapGenerator " + generator.path("name").asText() + ": cannot read " + source, e);
      }
    }
    return cm;
  }

  /**
   * {@code file} of the kustomization in {@code dir}, refused when it lies outside {@code dir}, as
   * kustomize's default load restrictor (LoadRestrictionsRootOnly) refuses it.
   */
  private static Path insideRoot(Path dir, String file, String what) {
    Path root = dir.toAbsolutePath().normalize();
    Path p = root.resolve(file).normalize();
    if (!p.startsWith(root)) {
      throw new IllegalArgumentException(what + ": file '" + file + "' is not in or below " + root
          + " (kustomize refuses it without --load-restrictor LoadRestrictionsNone)");
    }
    return p;
  }

  private static ObjectNode find(List<ObjectNode> objects, String kind, String name, Path dir) {
    for (ObjectNode o : objects) {
      if (o.path("kind").asText().equals(kind) && o.path("metadata").path("name").asText().equals(name)) {
        return o;
      }
    }
    throw new IllegalArgumentException(dir + ": patch target " + kind + "/" + name + " is not among the resources");
  }

  static JsonNode readOne(Path file) {
    List<ObjectNode> docs = readAll(file);
    if (docs.size() != 1) {
      throw new IllegalArgumentException(file + ": expected one YAML document, found " + docs.size());
    }
    return docs.get(0);
  }

  static List<ObjectNode> readAll(Path file) {
    try {
      return readAll(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Every non-empty document of a multi-document YAML text. */
  public static List<ObjectNode> readAll(String yaml) {
    List<ObjectNode> docs = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(yaml)) {
      for (Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
        JsonNode n = it.next();
        if (n != null && n.isObject() && n.size() > 0) {
          docs.add((ObjectNode) n);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("invalid YAML", e);
    }
    return docs;
  }
}
