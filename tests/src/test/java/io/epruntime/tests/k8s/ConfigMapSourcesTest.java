package io.epruntime.tests.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * conf/ is the one source of the deployment's configuration: the ConfigMap every overlay renders
 * (from the copies in deploy/k8s/base/conf, the only files kustomize may read) holds exactly
 * conf/'s files.
 */
class ConfigMapSourcesTest {

  static Stream<String> overlays() throws Exception {
    return ManifestInvariantsTest.overlays();
  }

  @ParameterizedTest(name = "overlay {0}")
  @MethodSource("overlays")
  void theConfigMapHoldsConfsFilesUnchanged(String overlay) throws IOException {
    List<ConfigMap> maps = ManifestInvariantsTest.rendered(overlay).all(ConfigMap.class);
    assertEquals(1, maps.size());
    ConfigMap cm = maps.get(0);
    assertEquals(Set.of("application.conf", "k8s.conf"), cm.getData().keySet());
    for (String name : cm.getData().keySet()) {
      assertEquals(Files.readString(RepoPaths.root().resolve("conf").resolve(name)), cm.getData().get(name),
          "deploy/k8s/base/conf/" + name + " differs from conf/" + name
              + ": edit conf/, then run  cp conf/application.conf conf/k8s.conf deploy/k8s/base/conf/");
    }
  }
}
