package io.epruntime.cli.node;

import com.typesafe.config.ConfigFactory;
import io.epruntime.coordinator.Node;
import io.epruntime.coordinator.health.NodeParts;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ep node}: one node (one rank) from configuration and environment, what a container runs.
 * Logs one line when the world becomes Ready and one at every generation change, and runs until
 * the node's actor system terminates (or, under {@code ep run}, until the parent goes away).
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = {
      "Run one node (one rank) from configuration: reference.conf, -Dconfig.file or --config, -Dkey=value (in "
          + "EP_JAVA_OPTS), and the environment (EP_RANK, EP_HOST, EP_WORLD_SIZE, EP_BACKEND). This is what the container runs.",
      "Its ports: pekko.remote.artery.canonical.port (remoting, 17355; clients' gateway), pekko.management.http.port "
          + "(7626: /alive, /ready, /metrics) and ep.transport.port (Aeron UDP, 0 = a free one); docs/cli.md has an example.",
      "Logs one line when the world is Ready and one at every generation change. SIGTERM or SIGINT leaves the cluster "
          + "and exits."
    },
    exitCodeList = {
      "143:stopped by SIGTERM (130: SIGINT) after leaving the cluster",
      "255:downed by the cluster (unreachable, or on the minority side): restart it, as a StatefulSet or ep run does",
      "  2:a bad setting or flag (the message names the key and what is allowed)",
      "  1:an unexpected error (printed with its stack trace)"
    })
public final class NodeCommand implements Callable<Integer> {

  @Option(names = "--config", description = "A HOCON file laid over reference.conf (same as -Dconfig.file).")
  Path config;

  @Option(names = "--exit-on-stdin-eof", description = "Stop when standard input closes: ep run's ranks end with their parent, even if it is killed.")
  boolean exitOnStdinEof;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    if (config != null) {
      if (!Files.isReadable(config)) {
        throw io.epruntime.cli.CliException.usage("--config = " + config + " is not a readable file");
      }
      System.setProperty("config.file", config.toString());
      ConfigFactory.invalidateCaches();
    }
    // As NodeMain: the user's layer only; Node lays it over the node's Pekko defaults and every
    // reference.conf. SIGTERM runs Pekko's coordinated shutdown, which exits the JVM.
    Node node = Node.start(Node.userConfig());
    int rank = node.settings().rank();
    err.println("ep node: rank " + rank + " started (aeron " + node.aeronEndpoint() + "), backend "
        + node.settings().backend() + "; world of " + node.settings().world().worldSize() + " ranks");
    err.flush();
    StateLine line = new StateLine(rank, node.settings().world().worldSize(), err);
    var board = NodeParts.of(Adapter.toClassic(node.system())).board();
    Runnable report = () -> line.update(board.memberUp(), board.joinedGeneration(), board.readyGeneration());
    board.addListener(report);
    // The world may have become Ready while Node.start was still finishing (management endpoint):
    // report the state as it is now too, so that line is never missed.
    report.run();
    if (exitOnStdinEof) {
      watchStdin(node);
    }
    node.whenTerminated().join();
    return 0;
  }

  /** A blocking read on stdin: EOF means the parent process ended, so this rank ends too. */
  private static void watchStdin(Node node) {
    Thread t = new Thread(() -> {
      try (InputStream in = System.in) {
        while (in.read() >= 0) {
          // The parent never writes; anything read is ignored.
        }
      } catch (IOException e) {
        // A broken pipe is the same news as EOF.
      }
      node.close();
      System.exit(0);
    }, "ep-node-parent-watch");
    t.setDaemon(true);
    t.start();
  }
}
