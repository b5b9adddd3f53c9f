package io.epruntime.cli.status;

import io.epruntime.cli.CliException;
import io.epruntime.client.ClientSettings;
import io.epruntime.client.ClusterStatus;
import io.epruntime.client.EpClient;
import io.epruntime.client.EpClientException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ep status --gateway HOST:PORT}: the world, its generation, every rank's health and last step. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show a running world: state, generation, every rank with its health and last step, steps in flight.",
    exitCodeList = {
      "  0:the status was printed",
      "  2:usage error: unknown flag or bad value",
      "  3:no gateway answered (the message says what was found at each address), or the world was not Ready in time "
          + "(its generation and the missing ranks)"
    })
public final class StatusCommand implements java.util.concurrent.Callable<Integer> {

  @Option(names = {"-g", "--gateway"}, required = true, paramLabel = "HOST:PORT",
      description = "Pekko remoting address of any node, e.g. 127.0.0.1:17355 (repeatable).")
  List<String> gateways;

  @Option(names = "--timeout", defaultValue = "15", description = "Seconds to wait for the gateway and the answer (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(names = "--json", description = "One JSON line instead of the table.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    for (String g : gateways) {
      if (!g.matches("[^:\\s]+:\\d{1,5}")) {
        throw CliException.usage("--gateway = " + g + " is not HOST:PORT (e.g. 127.0.0.1:17355)");
      }
    }
    return show(gateways, com.typesafe.config.ConfigFactory.load(), timeoutSeconds, json, spec.commandLine().getOut());
  }

  /**
   * Connects to the first of {@code gateways} that answers and prints the world's status (a table,
   * or one JSON line); exit 3 ({@link CliException#cluster}) when none answers or the world is not Ready.
   */
  public static int show(List<String> gateways, com.typesafe.config.Config config, long timeoutSeconds, boolean json, PrintWriter out) {
    if (timeoutSeconds < 1) {
      throw CliException.usage("--timeout = " + timeoutSeconds + " is not allowed; allowed: >= 1");
    }
    Duration timeout = Duration.ofSeconds(timeoutSeconds);
    ClientSettings base = ClientSettings.of(gateways);
    ClientSettings settings = new ClientSettings(gateways, timeout, base.stepTimeout(), base.maxInFlight(), base.maxRetries());
    // The client's own time-out bounds connect; this outer limit makes sure ep status ends anyway.
    java.util.concurrent.CompletableFuture<EpClient> connecting = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> EpClient.connect(settings, config), r -> {
          Thread t = new Thread(r, "ep-status-connect");
          t.setDaemon(true);
          t.start();
        });
    EpClient connected;
    try {
      connected = connecting.get(timeoutSeconds + 10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw CliException.cluster("cannot get the status from " + String.join(", ", gateways) + ": " + cause.getMessage());
    } catch (TimeoutException e) {
      throw CliException.cluster("no answer from " + String.join(", ", gateways) + " within " + (timeoutSeconds + 10) + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.cluster("interrupted while connecting");
    }
    try (EpClient client = connected) {
      ClusterStatus status = client.status().toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS);
      out.print(json ? StatusView.json(status) + "\n" : StatusView.table(status));
      out.flush();
      return 0;
    } catch (EpClientException e) {
      throw CliException.cluster("cannot get the status from " + String.join(", ", gateways) + ": " + e.getMessage());
    } catch (TimeoutException e) {
      throw CliException.cluster("no status answer from " + String.join(", ", gateways) + " within " + timeoutSeconds + " s");
    } catch (ExecutionException | CompletionException e) {
      throw CliException.cluster("status request failed: " + (e.getCause() == null ? e : e.getCause()).getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.cluster("interrupted while waiting for the status");
    }
  }
}
