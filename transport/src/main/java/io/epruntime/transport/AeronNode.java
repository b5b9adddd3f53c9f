package io.epruntime.transport;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.epruntime.transport.internal.RepeatedErrorLog;
import io.epruntime.transport.internal.SpinGate;
import io.epruntime.transport.internal.TieredIdleStrategy;
import io.epruntime.transport.internal.TransportAgent;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process's Aeron: an embedded media driver (own directory, deleted on start, memory-backed
 * under /dev/shm where it exists), an Aeron client and one transport thread that runs the driver's
 * and the client's duty cycles (both in invoker mode) and sends and receives whole frames of any size. With no work
 * the thread backs off with timed parks ({@link TieredIdleStrategy}); queued work unparks it.
 *
 * <p>All of a node's streams listen on one UDP endpoint, {@link #endpoint()}; peers send to
 * {@code endpoint + streamId}. An idle node parks its transport thread for {@code deep-idle-park}
 * at a time, so it costs next to no CPU.
 *
 * <pre>
 *   send(peerEndpoint, stream, frame) -&gt; TransportAgent -&gt; media driver -&gt; UDP -&gt; peer's driver
 *   peer's driver -&gt; Subscription(stream) -&gt; TransportAgent -&gt; MessageListener.onMessage(frame)
 * </pre>
 */
public final class AeronNode implements AutoCloseable {
  /** How long the in-process driver and client wait for each other (see {@link #start}): a day. */
  static final java.time.Duration IN_PROCESS_LIVENESS = java.time.Duration.ofDays(1);

  private static final Logger LOG = LoggerFactory.getLogger(AeronNode.class);
  /** A repeated Aeron error is logged at most this often after its first time. */
  private static final Duration ERROR_REPEAT_INTERVAL = Duration.ofSeconds(10);
  /** A stream nobody sends on: its subscription holds the node's UDP port from start to close. */
  private static final int PORT_HOLDER_STREAM = 1;

  private final TransportSettings settings;
  private final MediaDriver driver;
  private final TransportAgent agent;
  private final AgentRunner runner;
  private final Aeron aeron;
  private final String endpoint;
  private final String channel;
  private final AtomicInteger awakeHolds;
  private final FrameAuth auth;
  /** Frames dropped for a missing or wrong tag ({@link FrameAuth}); the first of each stream is logged. */
  private final java.util.concurrent.atomic.AtomicLong forged = new java.util.concurrent.atomic.AtomicLong();
  /** Wakes the transport thread out of its idle park. */
  private final Runnable wakeTransport;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);
  /**
   * Closes the node when the JVM exits without its owner having done so (SIGTERM, SIGINT,
   * {@code System.exit} of a downed node), so that its directory goes too.
   */
  private final Thread exitHook = new Thread(this::closeOnExit, "ep-aeron-exit");
  private volatile Duration exitGrace = Duration.ZERO;

  private AeronNode(
      TransportSettings settings, MediaDriver driver, TransportAgent agent, AgentRunner runner, Aeron aeron, int port,
      AtomicInteger awakeHolds, FrameAuth auth) {
    this.settings = settings;
    this.auth = auth;
    this.wakeTransport = () -> LockSupport.unpark(runner.thread());
    this.awakeHolds = awakeHolds;
    this.driver = driver;
    this.agent = agent;
    this.runner = runner;
    this.aeron = aeron;
    this.endpoint = settings.hostForPeers() + ":" + port;
    this.channel = Streams.channel(settings.bindHost() + ":" + port);
  }

  /**
   * Starts the media driver, the transport thread and the client; throws with the cause when it
   * cannot. With no {@code aeron-dir} set, the driver gets a fresh directory named after this
   * process, and directories that exited processes left behind are removed first.
   */
  public static AeronNode start(TransportSettings settings) {
    return start(settings, FrameAuth.NONE);
  }

  /** {@link #start(TransportSettings)} with frames of the cluster's steering streams tagged and checked ({@link FrameAuth}). */
  public static AeronNode start(TransportSettings settings, FrameAuth auth) {
    String dir = settings.aeronDir().isBlank() ? freshDirectory() : settings.aeronDir();
    MediaDriver.Context ctx = new MediaDriver.Context()
        .aeronDirectoryName(dir)
        .dirDeleteOnStart(true)
        .dirDeleteOnShutdown(true)
        .threadingMode(ThreadingMode.INVOKER) // run by the transport thread: one thread per node
        .publicationTermBufferLength(settings.termLength())
        .ipcTermBufferLength(settings.termLength())
        .termBufferSparseFile(true)
        .mtuLength(settings.mtu())
        .socketSndbufLength(settings.socketBuffer())
        .socketRcvbufLength(settings.socketBuffer())
        .initialWindowLength(Math.min(settings.receiverWindow(), settings.termLength() / 2))
        // The driver and its one client live in this process and run on one thread: a pause stops
        // both (SIGSTOP, a long GC, a migrated VM), so on waking, their mutual 10 s liveness checks
        // would only close the client for good. Peers are still judged by their own timeouts.
        .clientLivenessTimeoutNs(IN_PROCESS_LIVENESS.toNanos())
        .publicationUnblockTimeoutNs(IN_PROCESS_LIVENESS.plusSeconds(1).toNanos())
        .errorHandler(errorLog("media driver error in " + dir));
    MediaDriver driver = MediaDriver.launch(ctx);
    TransportAgent agent = new TransportAgent(driver.sharedAgentInvoker(), settings.chunkSize(), settings.maxMessageSize(),
        settings.deepIdleAfter().toNanos());
    AtomicInteger awakeHolds = new AtomicInteger();
    boolean dirInBase = new File(dir).getAbsoluteFile().getParentFile().equals(AeronDirectories.base().getAbsoluteFile());
    AgentRunner runner = new AgentRunner(idleStrategy(settings, awakeHolds, agent, dirInBase), e -> LOG.error("transport thread error", e), null, agent);
    Aeron aeron = null;
    try {
      AgentRunner.startOnThread(runner, r -> {
        Thread t = new Thread(r, "ep-transport");
        t.setDaemon(true);
        return t;
      });
      // The client's conductor is run by the transport thread too (no thread of its own).
      aeron = Aeron.connect(new Aeron.Context()
          .aeronDirectoryName(driver.aeronDirectoryName())
          .driverTimeoutMs(IN_PROCESS_LIVENESS.toMillis())
          .useConductorAgentInvoker(true)
          .errorHandler(errorLog("aeron client error")));
      agent.attach(aeron);
      int port = settings.port() != 0 ? settings.port() : freeUdpPort(settings.bindHost());
      AeronNode node = new AeronNode(settings, driver, agent, runner, aeron, port, awakeHolds, auth);
      node.subscribe(PORT_HOLDER_STREAM, frame -> { });
      Runtime.getRuntime().addShutdownHook(node.exitHook);
      LOG.info("aeron node up: endpoint {}, driver dir {}", node.endpoint, driver.aeronDirectoryName());
      return node;
    } catch (RuntimeException e) {
      CloseHelper.quietCloseAll(aeron, runner, driver);
      throw e;
    }
  }

  /**
   * Aeron's errors, logged without flooding: a send to a network that is gone fails on every
   * heartbeat, thousands of times a second; each kind is logged in full once, then counted.
   */
  private static RepeatedErrorLog errorLog(String what) {
    return new RepeatedErrorLog(what, ERROR_REPEAT_INTERVAL.toNanos(), System::nanoTime, (line, trace) -> {
      if (trace != null) {
        LOG.warn(line, trace);
      } else {
        LOG.warn(line);
      }
    });
  }

  private static String freshDirectory() {
    File base = AeronDirectories.base();
    List<Path> stale = AeronDirectories.removeStale(base);
    if (!stale.isEmpty()) {
      LOG.info("removed {} Aeron directories that exited processes left behind: {}", stale.size(), stale);
    }
    return AeronDirectories.fresh(base);
  }

  /** Asks the OS for a free UDP port; the port-holder subscription then keeps it for the node's life. */
  private static int freeUdpPort(String host) {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free UDP port on ep.transport.bind-host = " + host, e);
    }
  }

  private static IdleStrategy idleStrategy(TransportSettings s, AtomicInteger awakeHolds, TransportAgent agent, boolean dirInBase) {
    // This host's spinning transport threads: one per live media driver directory (this node's
    // counted once whether or not it lives in the shared base).
    SpinGate gate = new SpinGate(() -> Runtime.getRuntime().availableProcessors(),
        () -> AeronDirectories.liveDrivers(AeronDirectories.base()) + (dirInBase ? 0 : 1), System::nanoTime);
    return new TieredIdleStrategy(s.idleMaxPark().toNanos(), s.deepIdleAfter().toNanos(), s.deepIdlePark().toNanos(),
        () -> awakeHolds.get() > 0, s.spinWindow().toNanos(), agent::lastTrafficNs, gate);
  }

  /** Whether this host has the cores for the transport threads on it to spin (reference.conf: spin-window). */
  public static boolean spinningAllowedHere() {
    return Runtime.getRuntime().availableProcessors() >= 2 * Math.max(1, AeronDirectories.liveDrivers(AeronDirectories.base()));
  }

  /** This node's {@code host:port}: peers send to it, all its streams listen on it. */
  public String endpoint() {
    return endpoint;
  }

  /**
   * The Aeron client, for inspection (counters, driver directory). Its conductor and the media
   * driver run on this node's transport thread, so do not add or remove publications or
   * subscriptions through it from another thread: a blocking client call can wait on that thread.
   * Use {@link #send} and {@link #listen}.
   */
  public Aeron aeron() {
    return aeron;
  }

  public TransportSettings settings() {
    return settings;
  }

  /**
   * Tells the transport that frames are about to arrive (a step was announced through another
   * channel): a deeply idle thread wakes now and polls with its short back-off for
   * {@code deep-idle-after}, so a long {@code deep-idle-park} costs no latency on the first frames of a
   * step. Thread-safe and cheap; call it as often as steps are announced.
   */
  public void expectTraffic() {
    agent.expectTraffic();
    wakeTransport.run();
  }

  /**
   * Keeps the transport thread out of its deep park (it still backs off up to
   * {@code idle-max-park}) until the hold is closed: for as long as a step is in flight here, its
   * frames may come at any moment, however long the step takes. Closing twice is harmless.
   */
  public AwakeHold holdAwake() {
    awakeHolds.incrementAndGet();
    expectTraffic();
    return new AwakeHold(awakeHolds);
  }

  /** See {@link #holdAwake()}. */
  public static final class AwakeHold implements AutoCloseable {
    private final AtomicInteger holds;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AwakeHold(AtomicInteger holds) {
      this.holds = holds;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        holds.decrementAndGet();
      }
    }
  }

  /**
   * Sends one frame to {@code peerEndpoint}'s {@code streamId}, chunked when large. The stage
   * completes once every chunk is in the publication's log (Aeron then delivers reliably while both
   * sides live), or fails with a {@link TransportException} when no subscriber connects or
   * back-pressure does not clear within {@code timeout}.
   */
  public CompletionStage<Void> send(String peerEndpoint, int streamId, byte[] frame, Duration timeout) {
    byte[] out = auth.covers(streamId) ? auth.seal(frame) : frame;
    CompletableFuture<Void> f = agent.send(peerEndpoint, streamId, out, timeout.toNanos());
    wakeTransport.run(); // start the send now rather than at the end of an idle park
    return f;
  }

  /** {@link #send(String, int, byte[], Duration)} with {@code ep.transport.send-timeout}. */
  public CompletionStage<Void> send(String peerEndpoint, int streamId, byte[] frame) {
    return send(peerEndpoint, streamId, frame, settings.sendTimeout());
  }

  /**
   * Delivers every frame arriving on {@code streamId} to {@code listener} (on the transport thread)
   * until the returned handle is closed; returns once the subscription is live. One listener per
   * stream; a second replaces the first.
   */
  public AutoCloseable listen(int streamId, MessageListener listener) {
    if (streamId == PORT_HOLDER_STREAM) {
      throw new IllegalArgumentException("stream " + PORT_HOLDER_STREAM + " is reserved by the transport");
    }
    subscribe(streamId, auth.covers(streamId) ? checked(streamId, listener) : listener);
    return () -> {
      if (!runner.isClosed()) {
        CompletableFuture<Void> done = agent.unlisten(streamId);
        wakeTransport.run();
        done.orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
      }
    };
  }

  /** Passes on frames whose tag is right; drops the others, logging the first and then every 1000th. */
  private MessageListener checked(int streamId, MessageListener listener) {
    return frame -> {
      ByteBuffer body = auth.open(frame);
      if (body != null) {
        listener.onMessage(body);
        return;
      }
      long n = forged.incrementAndGet();
      if (n == 1 || n % 1000 == 0) {
        LOG.warn("dropped {} frame(s) without a valid tag (stream {}, {} bytes): a sender without this cluster's "
            + "ep.security.key-store, or another cluster's", n, streamId, frame.remaining());
      }
    };
  }

  /** Frames dropped so far for a missing or wrong tag. */
  public long forgedFrames() {
    return forged.get();
  }

  private void subscribe(int streamId, MessageListener listener) {
    CompletableFuture<Void> ready = agent.listen(channel, streamId, listener);
    wakeTransport.run();
    try {
      ready.get(settings.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new TransportException("subscribing failed", e.getCause());
    } catch (TimeoutException e) {
      throw new TransportException("subscription to " + channel + " stream " + streamId + " not live after " + settings.sendTimeout().toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted while subscribing to stream " + streamId);
    }
  }

  /**
   * When the JVM exits, waits up to {@code grace} for the owner's own close before closing the node
   * itself (at once by default). For an owner that closes the node as part of an orderly stop the
   * exiting JVM runs anyway, such as a cluster node's coordinated shutdown on SIGTERM, so that what
   * still sends through the node is stopped first.
   */
  public void closeOnExitAfter(Duration grace) {
    exitGrace = grace;
  }

  private void closeOnExit() {
    try {
      if (!closed.await(exitGrace.toMillis(), TimeUnit.MILLISECONDS)) {
        close();
      }
    } catch (InterruptedException e) {
      close();
    }
  }

  /**
   * Stops the transport work, the client, the transport thread and the driver, and deletes its
   * directory. Idempotent; a second call returns at once.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    try {
      stop();
    } finally {
      closed.countDown();
      if (Thread.currentThread() != exitHook) {
        try {
          Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException e) {
          // the JVM is exiting: the hook sees the node closed and returns
        }
      }
    }
  }

  private void stop() {
    if (!runner.isClosed()) {
      CompletableFuture<Void> stopped = agent.shutdown();
      wakeTransport.run();
      stopped.orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
    // The client's close talks to the driver, which the transport thread still runs.
    CloseHelper.quietCloseAll(aeron, runner, driver);
    LOG.info("aeron node {} closed", endpoint);
  }
}
