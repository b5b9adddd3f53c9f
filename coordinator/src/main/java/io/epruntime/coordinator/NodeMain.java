package io.epruntime.coordinator;

import com.typesafe.config.ConfigFactory;
import io.epruntime.protocol.EpArgumentException;

/**
 * {@code java io.epruntime.coordinator.NodeMain}: starts one node from Typesafe config
 * ({@code -Dconfig.file}, {@code -Dkey=value}, {@code EP_RANK} and the other variables in
 * reference.conf) and runs until the actor system terminates (coordinated shutdown exits the JVM).
 */
public final class NodeMain {
  private NodeMain() {}

  public static void main(String[] args) {
    Node node;
    try {
      node = Node.start(ConfigFactory.load());
    } catch (EpArgumentException e) {
      System.err.println("ep node: " + e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "ep-node-shutdown"));
    node.whenTerminated().join();
  }
}
