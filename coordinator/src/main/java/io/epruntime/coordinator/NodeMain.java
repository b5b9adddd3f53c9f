package io.epruntime.coordinator;

import io.epruntime.protocol.EpArgumentException;

/**
 * {@code java io.epruntime.coordinator.NodeMain}: starts one node from Typesafe config
 * ({@code -Dconfig.file}, {@code -Dkey=value}, {@code EP_RANK} and the other variables in
 * reference.conf) and runs until the actor system terminates. SIGTERM runs Pekko's coordinated
 * shutdown (leave the cluster, hand the singleton over), which then exits the JVM.
 */
public final class NodeMain {
  private NodeMain() {}

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null && NodeMain.class.getResource("/logback.xml") == null) {
      System.setProperty("logback.configurationFile", "ep-node-logback.xml"); // before the first logger is made
    }
    Node node;
    try {
      node = Node.start(Node.userConfig());
    } catch (EpArgumentException e) {
      System.err.println("ep node: " + e.getMessage());
      System.exit(2);
      return;
    }
    node.whenTerminated().join();
  }
}
