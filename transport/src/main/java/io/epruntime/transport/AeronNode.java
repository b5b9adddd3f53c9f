package io.epruntime.transport;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.epruntime.transport.internal.TieredIdleStrategy;
import io.epruntime.transport.internal.TransportAgent;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process's Aeron: an embedded media driver (own directory, deleted on start, memory-backed
 * under /dev/shm where it exists, one SHARED thread with a back-off idle strategy that parks
 * longer once idle for a while, see {@link TieredIdleStrategy}), an Aeron client
 * and the transport thread that sends and receives whole frames of any size.
 *
 * <p>All of a node's streams listen on one UDP endpoint, {@link #endpoint()}; peers send to
 * {@code endpoint + streamId}. An idle node parks its two threads (driver and transport) for
 * {@code deep-idle-park} at a time, so it costs next to no CPU.
 *
 * <pre>
 *   send(peerEndpoint, stream, frame) -&gt; TransportAgent -&gt; media driver -&gt; UDP -&gt; peer's driver
 *   peer's driver -&gt; Subscription(stream) -&gt; TransportAgent -&gt; MessageListener.onMessage(frame)
 * </pre>
 */
public final class AeronNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AeronNode.class);
  /** A stream nobody sends on: its subscription holds the node's UDP port from start to close. */
  private static final int PORT_HOLDER_STREAM = 1;

  private final TransportSettings settings;
  private final MediaDriver driver;
  private final Aeron aeron;
  private final String endpoint;
  private final String channel;
  private final Subscription portHolder;
  private final TransportAgent agent;
  private final AgentRunner runner;

  private AeronNode(TransportSettings settings, MediaDriver driver, Aeron aeron, String endpoint, Subscription portHolder) {
    this.settings = settings;
    this.driver = driver;
    this.aeron = aeron;
    this.endpoint = endpoint;
    this.channel = Streams.channel(settings.bindHost() + ":" + endpoint.substring(endpoint.lastIndexOf(':') + 1));
    this.portHolder = portHolder;
    this.agent = new TransportAgent(aeron, settings.chunkSize(), settings.maxMessageSize());
    this.runner = new AgentRunner(idleStrategy(settings), e -> LOG.error("transport thread error", e), null, agent);
    AgentRunner.startOnThread(runner, r -> {
      Thread t = new Thread(r, "ep-transport-" + endpoint);
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts the media driver, the client and the transport thread; throws with the cause when it cannot. */
  public static AeronNode start(TransportSettings settings) {
    String dir = settings.aeronDir().isBlank() ? freshDirectory() : settings.aeronDir();
    MediaDriver.Context ctx = new MediaDriver.Context()
        .aeronDirectoryName(dir)
        .dirDeleteOnStart(true)
        .dirDeleteOnShutdown(true)
        .threadingMode(ThreadingMode.SHARED)
        .sharedIdleStrategy(idleStrategy(settings))
        .publicationTermBufferLength(settings.termLength())
        .ipcTermBufferLength(settings.termLength())
        .termBufferSparseFile(true)
        .errorHandler(e -> LOG.warn("media driver error in {}", dir, e));
    MediaDriver driver = MediaDriver.launch(ctx);
    Aeron aeron = null;
    try {
      aeron = Aeron.connect(new Aeron.Context()
          .aeronDirectoryName(driver.aeronDirectoryName())
          .errorHandler(e -> LOG.warn("aeron client error", e)));
      int port = settings.port() != 0 ? settings.port() : freeUdpPort(settings.bindHost());
      Subscription holder = aeron.addSubscription(Streams.channel(settings.bindHost() + ":" + port), PORT_HOLDER_STREAM);
      String endpoint = settings.hostForPeers() + ":" + port;
      LOG.info("aeron node up: endpoint {}, driver dir {}", endpoint, driver.aeronDirectoryName());
      return new AeronNode(settings, driver, aeron, endpoint, holder);
    } catch (RuntimeException e) {
      CloseHelper.quietCloseAll(aeron, driver);
      throw e;
    }
  }

  private static String freshDirectory() {
    File shm = new File("/dev/shm");
    File base = shm.isDirectory() && shm.canWrite() ? shm : new File(System.getProperty("java.io.tmpdir"));
    return new File(base, "ep-aeron-" + ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong())).getPath();
  }

  /** Asks the OS for a free UDP port; the port-holder subscription then keeps it for the node's life. */
  private static int freeUdpPort(String host) {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free UDP port on ep.transport.bind-host = " + host, e);
    }
  }

  private static IdleStrategy idleStrategy(TransportSettings s) {
    return new TieredIdleStrategy(s.idleMaxPark().toNanos(), s.deepIdleAfter().toNanos(), s.deepIdlePark().toNanos());
  }

  /** This node's {@code host:port}: peers send to it, all its streams listen on it. */
  public String endpoint() {
    return endpoint;
  }

  public Aeron aeron() {
    return aeron;
  }

  public TransportSettings settings() {
    return settings;
  }

  /**
   * Sends one frame to {@code peerEndpoint}'s {@code streamId}, chunked when large. The stage
   * completes once every chunk is in the publication's log (Aeron then delivers reliably while both
   * sides live), or fails with a {@link TransportException} when no subscriber connects or
   * back-pressure does not clear within {@code timeout}.
   */
  public CompletionStage<Void> send(String peerEndpoint, int streamId, byte[] frame, Duration timeout) {
    CompletableFuture<Void> f = agent.send(peerEndpoint, streamId, frame, timeout.toNanos());
    LockSupport.unpark(runner.thread()); // start the send now rather than at the end of an idle park
    return f;
  }

  /** {@link #send(String, int, byte[], Duration)} with {@code ep.transport.send-timeout}. */
  public CompletionStage<Void> send(String peerEndpoint, int streamId, byte[] frame) {
    return send(peerEndpoint, streamId, frame, settings.sendTimeout());
  }

  /**
   * Delivers every frame arriving on {@code streamId} to {@code listener} (on the transport thread)
   * until the returned handle is closed. One listener per stream; a second replaces the first.
   */
  public AutoCloseable listen(int streamId, MessageListener listener) {
    if (streamId == PORT_HOLDER_STREAM) {
      throw new IllegalArgumentException("stream " + PORT_HOLDER_STREAM + " is reserved by the transport");
    }
    Subscription s = aeron.addSubscription(channel, streamId, image -> { },
        image -> agent.sessionGone(streamId, image.sessionId()));
    agent.listen(streamId, s, listener);
    LockSupport.unpark(runner.thread());
    return () -> {
      if (runner.isClosed()) {
        return; // the agent closed every subscription on its way out
      }
      CompletableFuture<Void> done = agent.unlisten(streamId);
      LockSupport.unpark(runner.thread());
      done.orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    };
  }

  /** Stops the transport thread, the client and the driver, and deletes the driver's directory. */
  @Override
  public void close() {
    CloseHelper.quietCloseAll(runner, portHolder, aeron, driver);
    LOG.info("aeron node {} closed", endpoint);
  }
}
