package io.epruntime.transport.internal;

import io.aeron.Aeron;
import io.epruntime.transport.MessageListener;
import io.epruntime.transport.TransportException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one transport thread: it runs the embedded media driver's and the Aeron client's duty
 * cycles (both in invoker mode, so they have no threads of their own), offers queued frames chunk by chunk
 * ({@link PublicationSender}) and polls every listened stream ({@link StreamPoller}). One thread
 * means one wake-up per idle park for the whole node. Every Aeron client call made here is
 * asynchronous ({@code asyncAdd*}, {@code asyncRemove*}): a blocking call would wait for the driver
 * that only this thread runs.
 *
 * <p>Back-pressure and not-connected publications are not retried in a loop: the frame stays queued
 * and the next duty cycle tries again, with the idle strategy parking the thread in between, until
 * the frame's send timeout. Other threads talk to this one through a queue.
 */
public final class TransportAgent implements Agent {
  private static final Logger LOG = LoggerFactory.getLogger(TransportAgent.class);
  private static final long SWEEP_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);
  /** Most driver duty cycles in one pass while it keeps moving bytes (about 90 KB at the default MTU). */
  private static final int DRIVER_BURST = 64;

  private final AgentInvoker driver;
  private final int chunkSize;
  private final long maxMessageSize;
  private final long activeWindowNs;
  private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicLong messageIds = new AtomicLong(System.nanoTime());
  private final PublicationSender sender;
  private final StreamPoller poller;
  private volatile Aeron aeron;
  private AgentInvoker client;
  private boolean stopped;
  private long lastActivityNs = System.nanoTime();
  /** Set by {@link #expectTraffic()} from any thread; the next duty cycle counts as active. */
  private volatile boolean trafficExpected;
  private long nextSweepNs = System.nanoTime() + SWEEP_INTERVAL_NS;

  private record Unlisten(int streamId, CompletableFuture<Void> done) {}

  private record Shutdown(CompletableFuture<Void> done) {}

  private record SessionGone(int streamId, int sessionId) {}

  /**
   * @param driver the media driver's invoker, run on every duty cycle from the start
   * @param activeWindowNs how long after the last frame moved the driver's work keeps the thread awake
   */
  public TransportAgent(AgentInvoker driver, int chunkSize, long maxMessageSize, long activeWindowNs) {
    this.driver = driver;
    this.chunkSize = chunkSize;
    this.maxMessageSize = maxMessageSize;
    this.activeWindowNs = activeWindowNs;
    this.sender = new PublicationSender(chunkSize);
    this.poller = new StreamPoller(maxMessageSize);
  }

  @Override
  public String roleName() {
    return "ep-transport";
  }

  /** Connects the Aeron client, once it is up (it needs the driver this agent runs to connect). */
  public void attach(Aeron client) {
    sender.attach(client);
    poller.attach(client);
    this.aeron = client;
  }

  /** Queues a frame for {@code endpoint}'s {@code streamId}; thread-safe. */
  public CompletableFuture<Void> send(String endpoint, int streamId, byte[] frame, long timeoutNs) {
    if (frame.length > maxMessageSize) {
      return CompletableFuture.failedFuture(new TransportException(
          "a " + frame.length + "-byte frame exceeds ep.transport.max-message-size = " + maxMessageSize));
    }
    Outbound o = new Outbound(endpoint, streamId, frame, messageIds.incrementAndGet(), chunkSize, timeoutNs);
    inbox.add(o);
    return o.done;
  }

  /**
   * Subscribes {@code listener} to {@code streamId} on {@code channel}, replacing an earlier
   * listener of that stream; the future completes once the subscription is live. Thread-safe.
   */
  public CompletableFuture<Void> listen(String channel, int streamId, MessageListener listener) {
    StreamPoller.Listen l = new StreamPoller.Listen(channel, streamId, listener);
    inbox.add(l);
    return l.ready;
  }

  /** Stops polling {@code streamId} and removes its subscription; the future completes when done. */
  public CompletableFuture<Void> unlisten(int streamId) {
    Unlisten u = new Unlisten(streamId, new CompletableFuture<>());
    inbox.add(u);
    return u.done;
  }

  /** Stops all transport work (pending sends fail) but keeps running the driver until closed. */
  public CompletableFuture<Void> shutdown() {
    Shutdown s = new Shutdown(new CompletableFuture<>());
    inbox.add(s);
    return s.done;
  }

  /** When a frame last moved, or a step was announced ({@link System#nanoTime()}); read on this thread. */
  public long lastTrafficNs() {
    return lastActivityNs;
  }

  /** Marks traffic as imminent; the caller then unparks the transport thread. Thread-safe. */
  public void expectTraffic() {
    trafficExpected = true;
  }

  /** Called by Aeron's conductor when a publication behind a subscription is gone; thread-safe. */
  void sessionGone(int streamId, int sessionId) {
    inbox.add(new SessionGone(streamId, sessionId));
  }

  @Override
  public int doWork() {
    if (stopped || aeron == null) {
      return driver.invoke(); // the client is connecting or closing on another thread
    }
    if (client == null) {
      client = aeron.conductorAgentInvoker();
    }
    long now = System.nanoTime();
    int work = drainInbox();
    if (trafficExpected) {
      // A step was announced (over Pekko): frames are about to arrive, so leave the deep park for
      // the short back-off now instead of noticing them a deep park later.
      trafficExpected = false;
      lastActivityNs = now;
      work++;
    }
    if (stopped) {
      return work;
    }
    work += poller.completeListens();
    work += sender.offerAll(now);
    if (now - nextSweepNs > 0) {
      nextSweepNs = now + SWEEP_INTERVAL_NS;
      sender.removeIdlePublications(now);
    }
    // One driver duty cycle sends at most one MTU per publication and reads one datagram per
    // socket, so a frame of many datagrams would take as many trips through this whole method (and
    // its idle strategy). While the driver moves bytes, run it again, draining what it received,
    // up to DRIVER_BURST times.
    int driverWork = 0;
    for (int i = 0; i < DRIVER_BURST; i++) {
      int moved = driver.invoke(); // sends what was offered, reads the sockets
      driverWork += moved;
      work += poller.poll();
      if (moved == 0) {
        break;
      }
      if (sender.hasQueued()) {
        work += sender.offerAll(now);
      }
    }
    driverWork += client.invoke(); // the client's side: driver responses, images, keep-alives
    work += poller.poll();
    if (work > 0 || sender.hasQueued() || poller.hasPending()) {
      lastActivityNs = now;
    }
    // The driver's own chores (heartbeats, status messages, timers) would reset the idle strategy
    // several times a second and keep an idle node out of its deep park; they count as work only
    // while frames are moving.
    return now - lastActivityNs < activeWindowNs ? work + driverWork : work;
  }

  /**
   * Runs what other threads queued; returns the commands that start traffic (a frame to send, a
   * stream to subscribe to), which keep the thread in its short back-off. Book-keeping does not: a
   * peer's publication timing out (SessionGone) or an unlisten would otherwise cost an idle node
   * {@code deep-idle-after} of short parks each, minutes after its last step.
   */
  private int drainInbox() {
    int work = 0;
    Object cmd;
    while ((cmd = inbox.poll()) != null) {
      if (cmd instanceof Outbound o) {
        work++;
        sender.enqueue(o);
      } else if (cmd instanceof StreamPoller.Listen l) {
        work++;
        poller.add(l, this);
      } else if (cmd instanceof Unlisten u) {
        poller.remove(u.streamId);
        u.done.complete(null);
      } else if (cmd instanceof SessionGone g) {
        poller.sessionGone(g.streamId, g.sessionId);
      } else if (cmd instanceof Shutdown sd) {
        stopTransport();
        sd.done.complete(null);
        return work;
      }
    }
    return work;
  }

  /** Fails what is queued and forgets every publication and subscription; Aeron.close frees them. */
  private void stopTransport() {
    stopped = true;
    TransportException closed = new TransportException("transport closed");
    Object cmd;
    while ((cmd = inbox.poll()) != null) {
      if (cmd instanceof Outbound o) {
        o.done.completeExceptionally(closed);
      } else if (cmd instanceof StreamPoller.Listen l) {
        l.ready.completeExceptionally(closed);
      } else if (cmd instanceof Unlisten u) {
        u.done.complete(null);
      } else if (cmd instanceof Shutdown s) {
        s.done.complete(null);
      }
    }
    sender.failAll(closed);
    poller.failAll(closed);
  }

  @Override
  public void onClose() {
    stopTransport();
    LOG.debug("transport agent closed");
  }
}
