package io.epruntime.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectClasspathTest {

  @Test
  void projectJarsComeFirstInTheirOrder() {
    assertEquals("/l/ep-cli.jar:/w/coordinator/target/classes:/l/ep-client.jar:/l/pekko-actor.jar:/l/config.jar",
        ClusterSession.projectJarsFirst("/l/pekko-actor.jar:/l/ep-cli.jar:/w/coordinator/target/classes:/l/config.jar:/l/ep-client.jar"));
  }

  @Test
  void aManifestOnlyJarIsExpanded(@TempDir Path dir) throws Exception {
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    m.getMainAttributes().put(Attributes.Name.CLASS_PATH, dir.resolve("pekko-actor.jar").toUri() + " " + dir.resolve("ep-node.jar").toUri());
    Path booter = dir.resolve("booter.jar");
    try (OutputStream out = Files.newOutputStream(booter); JarOutputStream jar = new JarOutputStream(out, m)) {
      jar.flush();
    }
    assertEquals(String.join(":", dir.resolve("ep-node.jar").toString(), booter.toString(), dir.resolve("pekko-actor.jar").toString()),
        ClusterSession.projectJarsFirst(booter.toString()));
  }
}
