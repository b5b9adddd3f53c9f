package io.epruntime.tests.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;

/** A test that starts its own {@link LocalCluster4}; every process it started is killed after each test. */
@Tag("cluster")
abstract class LocalClusterTest {
  /** Set by the test; closed (all its processes killed) after it. */
  protected LocalCluster4 cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }
}
