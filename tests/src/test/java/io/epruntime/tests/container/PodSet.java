package io.epruntime.tests.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Volume;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * A StatefulSet's pods as Docker containers on one user-defined network: host name {@code <name>-<i>}
 * (the container's name gets the network's id in front, so parallel runs do not collide), the headless Service's DNS names as network aliases, a fixed pod IP (so the
 * downward API's status.podIP is known before start), the template's env, args, user, memory limit,
 * dropped capabilities, no privilege escalation, read-only root with tmpfs for emptyDirs and the ConfigMap bind-mounted read-only. Pods start in
 * parallel (podManagementPolicy Parallel) and each start waits on the readiness probe. What happens
 * to pods: deletion ({@link #delete}), a network partition ({@link #disconnect}, {@link #reconnect})
 * and the kubelet's restart of an exited container ({@link #restartContainer}). Each pod's log
 * (all its processes) is in {@code <workDir>/<pod>.log} and readable while the pods run ({@link #log}).
 */
final class PodSet implements AutoCloseable {
  private final PodTemplate template;
  private final Path workDir;
  private final String subnetPrefix;
  private final Network network;
  private final Map<Integer, GenericContainer<?>> pods = new HashMap<>();

  private PodSet(PodTemplate template, Path workDir, int subnetOctet, Network network) {
    this.template = template;
    this.workDir = workDir;
    this.subnetPrefix = "10.231." + subnetOctet + ".";
    this.network = network;
  }

  /**
   * Creates the pods' network on a free /24 of 10.231.100-199.0 (tried at random, so that runs in
   * parallel on one engine do not collide); no pod is started yet.
   */
  static PodSet create(PodTemplate template, Path workDir) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < 8; attempt++) {
      int octet = ThreadLocalRandom.current().nextInt(100, 200);
      String prefix = "10.231." + octet + ".";
      Network network = Network.builder()
          .createNetworkCmdModifier(cmd -> cmd.withName("ep-pods-" + octet).withIpam(new com.github.dockerjava.api.model.Network.Ipam()
              .withConfig(new com.github.dockerjava.api.model.Network.Ipam.Config().withSubnet(prefix + "0/24").withGateway(prefix + "1"))))
          .build();
      try {
        network.getId();
        return new PodSet(template, workDir, octet, network);
      } catch (RuntimeException e) {
        last = e;
        network.close();
      }
    }
    throw new IllegalStateException("no free 10.231.x.0/24 for the pods' network", last);
  }

  /** The pod IP of ordinal {@code i}. */
  String podIp(int ordinal) {
    return subnetPrefix + (10 + ordinal);
  }

  /** The host's address on the pods' network: where a client on the host is reachable from the pods. */
  String gatewayIp() {
    return subnetPrefix + "1";
  }

  /** Starts every ordinal at once and waits until each is ready. */
  void startAll(Duration timeout) throws Exception {
    List<GenericContainer<?>> all = new ArrayList<>();
    for (int i = 0; i < template.replicas(); i++) {
      all.add(create(i));
    }
    Startables.deepStart(all).get(timeout.toSeconds(), TimeUnit.SECONDS);
  }

  /** Starts pod {@code ordinal} alone and waits until it is ready. */
  void start(int ordinal, Duration timeout) throws Exception {
    Startables.deepStart(List.of(create(ordinal))).get(timeout.toSeconds(), TimeUnit.SECONDS);
  }

  /**
   * Deletes pod {@code ordinal} the way Kubernetes does: SIGTERM, up to the termination grace
   * period to exit, then SIGKILL; then the container is removed. Returns the process's exit code.
   */
  long delete(int ordinal) {
    GenericContainer<?> c = pods.remove(ordinal);
    docker().stopContainerCmd(c.getContainerId()).withTimeout(template.terminationGraceSeconds()).exec();
    long exit = exitCode(c.getContainerId()).orElse(-1L);
    c.stop();
    return exit;
  }

  /**
   * Cuts pod {@code ordinal} off the pods' network ({@code docker network disconnect}): a real
   * partition. The process runs on, with only its loopback; nobody reaches it and it reaches nobody.
   */
  void disconnect(int ordinal) {
    docker().disconnectFromNetworkCmd().withNetworkId(network.getId()).withContainerId(containerId(ordinal)).exec();
  }

  /**
   * Heals the partition: attaches pod {@code ordinal} again with its pod IP and DNS names. A stopped
   * container gets them when it starts.
   */
  void reconnect(int ordinal) {
    docker().connectToNetworkCmd().withNetworkId(network.getId()).withContainerId(containerId(ordinal))
        .withContainerNetwork(new ContainerNetwork().withIpamConfig(new ContainerNetwork.Ipam().withIpv4Address(podIp(ordinal)))
            .withAliases(template.dnsNames(ordinal)))
        .exec();
  }

  /** True while pod {@code ordinal} is attached to the pods' network. */
  boolean connected(int ordinal) {
    var networks = docker().inspectContainerCmd(containerId(ordinal)).exec().getNetworkSettings().getNetworks();
    return networks != null && networks.values().stream().anyMatch(n -> network.getId().equals(n.getNetworkID()));
  }

  /** The exit code of pod {@code ordinal}'s process once it has exited by itself; empty while it runs. */
  Optional<Long> exited(int ordinal) {
    return exitCode(containerId(ordinal));
  }

  /**
   * Restarts pod {@code ordinal}'s exited container in place, as the kubelet does under the
   * StatefulSet's {@code restartPolicy: Always}: the same pod (name, IP, DNS names), a new process.
   * Unlike a pod's emptyDirs, the tmpfs volumes start empty. Its log goes on in the same file.
   */
  void restartContainer(int ordinal) {
    String id = containerId(ordinal);
    String pod = template.podName(ordinal);
    int since = (int) Instant.now().getEpochSecond();
    appendLog(pod, "----- container restarted (as the kubelet restarts an exited container) -----\n");
    docker().startContainerCmd(id).exec();
    // Testcontainers' log consumer ended with the first process; follow the new one from now on
    // (lines of the old one in the same second may repeat).
    docker().logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(true).withSince(since)
        .exec(new ResultCallback.Adapter<Frame>() {
          @Override
          public void onNext(Frame frame) {
            appendLog(pod, new String(frame.getPayload(), StandardCharsets.UTF_8));
          }
        });
  }

  /** The log of pod {@code ordinal} (all its processes) so far. */
  List<LogLine> log(int ordinal) {
    Path file = workDir.resolve(template.podName(ordinal) + ".log");
    try {
      return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(LogLine::of).toList() : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A line of a pod's log; {@code atMillis} is the wall-clock time of its {@code HH:mm:ss.SSS}
   * prefix (pods share the host's clock, in UTC), or -1 when it has none.
   */
  record LogLine(long atMillis, String text) {
    private static final Pattern TIME = Pattern.compile("^(\\d{2}:\\d{2}:\\d{2}\\.\\d{3}) ");

    static LogLine of(String text) {
      Matcher m = TIME.matcher(text);
      if (!m.find()) {
        return new LogLine(-1, text);
      }
      long now = System.currentTimeMillis();
      LocalTime t = LocalTime.parse(m.group(1));
      long today = LocalDate.now(ZoneOffset.UTC).atTime(t).toInstant(ZoneOffset.UTC).toEpochMilli();
      // A line from just before midnight, read just after it, belongs to the day before.
      return new LogLine(today - now > 3_600_000L ? today - 86_400_000L : today, text);
    }
  }

  private String containerId(int ordinal) {
    GenericContainer<?> c = pods.get(ordinal);
    if (c == null) {
      throw new IllegalStateException("pod " + ordinal + " does not exist");
    }
    return c.getContainerId();
  }

  private static Optional<Long> exitCode(String containerId) {
    var state = docker().inspectContainerCmd(containerId).exec().getState();
    if (Boolean.TRUE.equals(state.getRunning())) {
      return Optional.empty();
    }
    Long exit = state.getExitCodeLong();
    return Optional.of(exit == null ? -1L : exit);
  }

  private static DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  private GenericContainer<?> create(int ordinal) {
    String pod = template.podName(ordinal);
    var probe = template.readinessProbe();
    int probePort = template.port(probe.getHttpGet().getPort());
    PodSecurityContext sc = template.podSpec().getSecurityContext();
    Map<String, String> tmpfs = new HashMap<>();
    List<Bind> binds = new ArrayList<>();
    template.mounts().forEach((path, v) -> {
      if (v.getEmptyDir() != null) {
        Quantity size = v.getEmptyDir().getSizeLimit();
        tmpfs.put(path, "rw,exec,mode=1777" + (size == null ? "" : ",size=" + Quantity.getAmountInBytes(size).toBigInteger()));
      } else if (v.getConfigMap() != null) {
        binds.add(new Bind(configMapDir(v).toString(), new Volume(path), AccessMode.ro));
      } else if (v.getSecret() != null) {
        binds.add(new Bind(secretDir(v).toString(), new Volume(path), AccessMode.ro));
      } else {
        throw new IllegalArgumentException("volume " + v.getName() + " at " + path + ": only emptyDir, configMap and secret are emulated");
      }
    });
    GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(template.container().getImage()))
        .withNetwork(network)
        .withNetworkAliases(template.dnsNames(ordinal).toArray(String[]::new))
        .withEnv(environment(ordinal))
        .withCommand(template.container().getArgs().toArray(String[]::new))
        .withExposedPorts(probePort)
        .withStartupAttempts(1)
        .withLogConsumer(frame -> appendLog(pod, frame.getUtf8String()))
        .waitingFor(Wait.forHttp(probe.getHttpGet().getPath()).forPort(probePort).forStatusCode(200)
            .withReadTimeout(Duration.ofSeconds(probe.getTimeoutSeconds() == null ? 1 : probe.getTimeoutSeconds()))
            .withStartupTimeout(Duration.ofMinutes(4)))
        .withCreateContainerCmdModifier(cmd -> {
          // The container's name only has to be unique on the engine; the pod's name is its host name and DNS alias.
          cmd.withName(network.getId().substring(0, 12) + "-" + pod).withHostName(pod).withIpv4Address(podIp(ordinal)).withUser(sc.getRunAsUser() + ":" + sc.getRunAsGroup());
          var csc = template.container().getSecurityContext();
          if (csc.getCapabilities() != null && csc.getCapabilities().getDrop() != null && csc.getCapabilities().getDrop().contains("ALL")) {
            cmd.getHostConfig().withCapDrop(com.github.dockerjava.api.model.Capability.ALL);
          }
          if (Boolean.FALSE.equals(csc.getAllowPrivilegeEscalation())) {
            cmd.getHostConfig().withSecurityOpts(List.of("no-new-privileges"));
          }
          cmd.getHostConfig()
              .withReadonlyRootfs(Boolean.TRUE.equals(csc.getReadOnlyRootFilesystem()))
              .withTmpFs(tmpfs)
              .withBinds(binds)
              .withMemory(template.memoryLimitBytes())
              .withMemorySwap(template.memoryLimitBytes());
        });
    pods.put(ordinal, c);
    return c;
  }

  /**
   * The template's environment for this pod. {@code -Dep.container.mainClass=...} adds
   * EP_MAIN_CLASS (read by /app/bin/ep) to run another main than {@code ep node}: a diagnosis aid
   * that departs from the template, so the test prints it.
   */
  private Map<String, String> environment(int ordinal) {
    Map<String, String> env = new java.util.LinkedHashMap<>(template.environment(ordinal, podIp(ordinal)));
    String main = System.getProperty("ep.container.mainClass");
    if (main != null && !main.isBlank()) {
      System.out.println("NOTE: pods run EP_MAIN_CLASS=" + main + " instead of the image's `ep node` (-Dep.container.mainClass)");
      env.put("EP_MAIN_CLASS", main);
    }
    return env;
  }

  private Path configMapDir(io.fabric8.kubernetes.api.model.Volume v) {
    Path dir = workDir.resolve("configmap-" + v.getConfigMap().getName());
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, String> f : template.configMapFiles(v).entrySet()) {
        Files.writeString(dir.resolve(f.getKey()), f.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir.toAbsolutePath();
  }

  /** A Secret volume's files, readable by the pod's user as the kubelet's default mode (0644) makes them. */
  private Path secretDir(io.fabric8.kubernetes.api.model.Volume v) {
    Path dir = workDir.resolve("secret-" + v.getSecret().getSecretName());
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, byte[]> f : template.secretFiles(v).entrySet()) {
        Path file = dir.resolve(f.getKey());
        Files.write(file, f.getValue());
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir.toAbsolutePath();
  }

  private void appendLog(String pod, String line) {
    try {
      Files.writeString(workDir.resolve(pod + ".log"), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException ignored) {
      // Logs are for the person debugging a failure; losing one line must not fail the test.
    }
  }

  /** /etc/hosts lines that resolve every pod's headless-Service names, as cluster DNS would. */
  String hostsFile() {
    StringBuilder sb = new StringBuilder("127.0.0.1 localhost\n");
    for (int i = 0; i < template.replicas(); i++) {
      sb.append(podIp(i)).append(' ').append(String.join(" ", template.dnsNames(i))).append('\n');
    }
    return sb.toString();
  }

  @Override
  public void close() {
    for (GenericContainer<?> c : pods.values()) {
      c.stop();
    }
    pods.clear();
    network.close();
  }
}
