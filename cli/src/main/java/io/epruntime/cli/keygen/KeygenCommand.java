package io.epruntime.cli.keygen;

import io.epruntime.cli.CliException;
import io.epruntime.cli.cluster.ClusterKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ep keygen}: the key store a cluster and its clients share (remoting on mutual TLS, tagged
 * control frames; docs/security.md), with a random password beside it, and how to hand both to a
 * StatefulSet as a Secret.
 */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description = "Writes a cluster key store (cluster.p12) and its password (cluster.password) into a directory.")
public final class KeygenCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--dir", required = true, description = "Directory to write cluster.p12 and cluster.password into (created).")
  Path dir;

  @Override
  public Integer call() {
    if (Files.exists(dir.resolve(ClusterKey.STORE_FILE))) {
      throw CliException.usage("--dir = " + dir + " already holds " + ClusterKey.STORE_FILE + "; choose an empty directory");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw CliException.usage("--dir = " + dir + " cannot be created: " + e.getMessage());
    }
    ClusterKey key = ClusterKey.create(dir);
    PrintWriter out = spec.commandLine().getOut();
    out.println("ep keygen: wrote " + key.keyStore() + " and " + dir.resolve(ClusterKey.PASSWORD_FILE));
    out.println("  nodes and clients  EP_KEY_STORE=" + key.keyStore() + " EP_KEY_STORE_PASSWORD=$(cat "
        + dir.resolve(ClusterKey.PASSWORD_FILE) + ")");
    out.println("  Kubernetes         kubectl create secret generic ep-tls --from-file=" + ClusterKey.STORE_FILE + "=" + key.keyStore()
        + " --from-literal=EP_KEY_STORE_PASSWORD=\"$(cat " + dir.resolve(ClusterKey.PASSWORD_FILE) + ")\"");
    out.flush();
    return 0;
  }
}
