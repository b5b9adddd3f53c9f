package io.epruntime.transport.internal;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.epruntime.transport.MessageListener;
import io.epruntime.transport.Streams;
import io.epruntime.transport.TransportException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one transport thread: it runs the embedded media driver's duty cycle (the driver is in
 * INVOKER mode, so it has no threads of its own), offers queued frames chunk by chunk and polls
 * every listened stream. One thread means one wake-up per idle park for the whole node. Every Aeron
 * client call made here is asynchronous ({@code asyncAdd*}, {@code asyncRemove*}): a blocking call
 * would wait for the driver that only this thread runs.
 * Back-pressure and not-connected publications are not retried in a loop: the frame stays queued
 * and the next duty cycle tries again, with the back-off idle strategy parking the thread in between,
 * until the frame's send timeout. Everything here runs on that one thread; other threads talk to it
 * through a queue.
 */
public final class TransportAgent implements Agent {
  private static final Logger LOG = LoggerFactory.getLogger(TransportAgent.class);
  private static final int FRAGMENT_LIMIT = 64;

  private final AgentInvoker driver;
  private volatile Aeron aeron;
  private boolean stopped;
  private final int chunkSize;
  private final long maxMessageSize;
  private final long activeWindowNs;
  private long lastActivityNs = System.nanoTime();
  private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
  private final Map<String, Destination> destinations = new HashMap<>();
  private final List<Destination> busy = new ArrayList<>();
  private final Map<Integer, Inbound> inbounds = new HashMap<>();
  private final List<Listen> pendingListens = new ArrayList<>();
  private final AtomicLong messageIds = new AtomicLong(System.nanoTime());
  private final UnsafeBuffer chunkHeader = new UnsafeBuffer(new byte[ChunkHeader.BYTES]);

  private static final class Destination {
    final String key;
    final String channel;
    final int streamId;
    final ArrayDeque<Outbound> queue = new ArrayDeque<>();
    long registrationId = Aeron.NULL_VALUE;
    ExclusivePublication publication;

    Destination(String key, String channel, int streamId) {
      this.key = key;
      this.channel = channel;
      this.streamId = streamId;
    }
  }

  private record Inbound(Subscription subscription, FragmentAssembler assembler, ChunkReassembler reassembler) {}

  private static final class Listen {
    final String channel;
    final int streamId;
    final MessageListener listener;
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    long registrationId = Aeron.NULL_VALUE;

    Listen(String channel, int streamId, MessageListener listener) {
      this.channel = channel;
      this.streamId = streamId;
      this.listener = listener;
    }
  }

  private record Unlisten(int streamId, CompletableFuture<Void> done) {}

  private record Shutdown(CompletableFuture<Void> done) {}

  private record SessionGone(int streamId, int sessionId) {}

  /**
   * @param driver the media driver's invoker, run on every duty cycle from the start
   * @param activeWindowNs how long after the last frame moved the driver's work keeps the thread awake
   */
  public TransportAgent(AgentInvoker driver, int chunkSize, long maxMessageSize, long activeWindowNs) {
    this.driver = driver;
    this.activeWindowNs = activeWindowNs;
    this.chunkSize = chunkSize;
    this.maxMessageSize = maxMessageSize;
  }

  @Override
  public String roleName() {
    return "ep-transport";
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

  /** Connects the Aeron client, once it is up (it needs the driver this agent runs to connect). */
  public void attach(Aeron client) {
    this.aeron = client;
  }

  /**
   * Subscribes {@code listener} to {@code streamId} on {@code channel}, replacing an earlier
   * listener of that stream; the future completes once the subscription is live. Thread-safe.
   */
  public CompletableFuture<Void> listen(String channel, int streamId, MessageListener listener) {
    Listen l = new Listen(channel, streamId, listener);
    inbox.add(l);
    return l.ready;
  }

  /** Stops all transport work (pending sends fail) but keeps running the driver until closed. */
  public CompletableFuture<Void> shutdown() {
    Shutdown s = new Shutdown(new CompletableFuture<>());
    inbox.add(s);
    return s.done;
  }

  /** Stops polling {@code streamId} and closes its subscription; the future completes when done. */
  public CompletableFuture<Void> unlisten(int streamId) {
    Unlisten u = new Unlisten(streamId, new CompletableFuture<>());
    inbox.add(u);
    return u.done;
  }

  /** Called by Aeron's conductor when a publication behind a subscription is gone; thread-safe. */
  public void sessionGone(int streamId, int sessionId) {
    inbox.add(new SessionGone(streamId, sessionId));
  }

  @Override
  public int doWork() {
    if (stopped || aeron == null) {
      return driver.invoke();
    }
    int work = drainInbox();
    work += completeListens();
    long now = System.nanoTime();
    for (int i = busy.size() - 1; i >= 0; i--) {
      Destination d = busy.get(i);
      work += offerQueued(d, now);
      if (d.queue.isEmpty()) {
        busy.remove(i);
      }
    }
    int driverWork = driver.invoke(); // sends what was just offered, reads the sockets
    for (Inbound in : inbounds.values()) {
      work += in.subscription.poll(in.assembler, FRAGMENT_LIMIT);
    }
    if (work > 0 || !busy.isEmpty() || !pendingListens.isEmpty()) {
      lastActivityNs = now;
    }
    // The driver's own chores (heartbeats, status messages, timers) would reset the idle strategy
    // several times a second and keep an idle node out of its deep park; they count as work only
    // while frames are moving.
    return now - lastActivityNs < activeWindowNs ? work + driverWork : work;
  }

  private int completeListens() {
    int work = 0;
    for (int i = pendingListens.size() - 1; i >= 0; i--) {
      Listen l = pendingListens.get(i);
      Subscription s;
      try {
        s = aeron.getSubscription(l.registrationId);
      } catch (RuntimeException e) {
        pendingListens.remove(i);
        l.ready.completeExceptionally(new TransportException("cannot subscribe to " + l.channel + " stream " + l.streamId + ": " + e.getMessage(), e));
        continue;
      }
      if (s != null) {
        pendingListens.remove(i);
        ChunkReassembler r = new ChunkReassembler(l.streamId, maxMessageSize, l.listener);
        Inbound old = inbounds.put(l.streamId, new Inbound(s, new FragmentAssembler(r), r));
        if (old != null) {
          aeron.asyncRemoveSubscription(old.subscription.registrationId());
        }
        l.ready.complete(null);
        work++;
      }
    }
    return work;
  }

  private int drainInbox() {
    int work = 0;
    Object cmd;
    while ((cmd = inbox.poll()) != null) {
      work++;
      if (cmd instanceof Outbound o) {
        Destination d = destinations.computeIfAbsent(o.endpoint + "#" + o.streamId,
            k -> new Destination(k, Streams.channel(o.endpoint), o.streamId));
        if (d.queue.isEmpty()) {
          busy.add(d);
        }
        d.queue.add(o);
      } else if (cmd instanceof Listen l) {
        int stream = l.streamId;
        try {
          l.registrationId = aeron.asyncAddSubscription(l.channel, stream, image -> { },
              image -> sessionGone(stream, image.sessionId()));
          pendingListens.add(l);
        } catch (RuntimeException e) {
          l.ready.completeExceptionally(new TransportException("cannot subscribe to " + l.channel + " stream " + stream + ": " + e.getMessage(), e));
        }
      } else if (cmd instanceof Unlisten u) {
        Inbound old = inbounds.remove(u.streamId);
        if (old != null) {
          aeron.asyncRemoveSubscription(old.subscription.registrationId());
        }
        u.done.complete(null);
      } else if (cmd instanceof Shutdown sd) {
        stopTransport();
        sd.done.complete(null);
        return work;
      } else if (cmd instanceof SessionGone g) {
        Inbound in = inbounds.get(g.streamId);
        if (in != null) {
          in.reassembler.sessionGone(g.sessionId);
          in.assembler.freeSessionBuffer(g.sessionId);
        }
      }
    }
    return work;
  }

  private int offerQueued(Destination d, long now) {
    if (d.publication == null && !connectPublication(d)) {
      failExpired(d, now, "publication to " + d.channel + " stream " + d.streamId + " not yet created");
      return 0;
    }
    int work = 0;
    while (!d.queue.isEmpty()) {
      Outbound o = d.queue.peek();
      if (o.deadlineNs == Long.MIN_VALUE) {
        o.deadlineNs = now + o.timeoutNs;
      }
      long result = offerNextChunk(d.publication, o);
      if (result > 0) {
        work++;
        if (++o.nextChunk == o.chunkCount) {
          d.queue.poll();
          o.done.complete(null);
        }
        continue;
      }
      if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
        // A fresh publication is a fresh session: the receiver restarts reassembly at chunk 0.
        aeron.asyncRemovePublication(d.publication.registrationId());
        d.publication = null;
        d.registrationId = Aeron.NULL_VALUE;
        o.nextChunk = 0;
        return work;
      }
      if (result == Publication.NOT_CONNECTED && o.nextChunk > 0) {
        o.nextChunk = 0; // the receiver lost the partial frame with the connection
      }
      failExpired(d, now, describe(result) + " on " + d.channel + " stream " + d.streamId);
      return work; // back-pressured, not connected or admin action: the next duty cycle retries
    }
    return work;
  }

  private long offerNextChunk(ExclusivePublication pub, Outbound o) {
    int offset = o.nextChunk * chunkSize;
    int len = Math.min(chunkSize, o.length - offset);
    ChunkHeader.write(chunkHeader, o.messageId, o.nextChunk, o.chunkCount, o.length);
    return pub.offer(chunkHeader, 0, ChunkHeader.BYTES, o.body, offset, len);
  }

  private boolean connectPublication(Destination d) {
    try {
      if (d.registrationId == Aeron.NULL_VALUE) {
        d.registrationId = aeron.asyncAddExclusivePublication(d.channel, d.streamId);
      }
      d.publication = aeron.getExclusivePublication(d.registrationId);
      return d.publication != null;
    } catch (RuntimeException e) {
      d.registrationId = Aeron.NULL_VALUE;
      TransportException failure = new TransportException("cannot publish to " + d.channel + " stream " + d.streamId + ": " + e.getMessage(), e);
      while (!d.queue.isEmpty()) {
        d.queue.poll().done.completeExceptionally(failure);
      }
      return false;
    }
  }

  private void failExpired(Destination d, long now, String state) {
    while (!d.queue.isEmpty()) {
      Outbound o = d.queue.peek();
      if (o.deadlineNs == Long.MIN_VALUE) {
        o.deadlineNs = now + o.timeoutNs;
      }
      if (now - o.deadlineNs < 0) {
        return;
      }
      d.queue.poll();
      o.done.completeExceptionally(new TransportException(
          "send of a " + o.length + "-byte frame to " + o.endpoint + " stream " + o.streamId + " timed out after "
              + o.timeoutNs / 1_000_000 + " ms: " + state));
    }
  }

  private static String describe(long result) {
    if (result == Publication.NOT_CONNECTED) {
      return "no subscriber connected";
    }
    if (result == Publication.BACK_PRESSURED) {
      return "back-pressured";
    }
    return "admin action";
  }

  /** Fails what is queued and forgets every publication and subscription; Aeron.close frees them. */
  private void stopTransport() {
    stopped = true;
    TransportException closed = new TransportException("transport closed");
    Object cmd;
    while ((cmd = inbox.poll()) != null) {
      if (cmd instanceof Outbound o) {
        o.done.completeExceptionally(closed);
      } else if (cmd instanceof Listen l) {
        l.ready.completeExceptionally(closed);
      } else if (cmd instanceof Unlisten u) {
        u.done.complete(null);
      } else if (cmd instanceof Shutdown s) {
        s.done.complete(null);
      }
    }
    for (Destination d : destinations.values()) {
      d.queue.forEach(o -> o.done.completeExceptionally(closed));
      d.queue.clear();
    }
    pendingListens.forEach(l -> l.ready.completeExceptionally(closed));
    pendingListens.clear();
    destinations.clear();
    busy.clear();
    inbounds.clear();
  }

  @Override
  public void onClose() {
    stopTransport();
    LOG.debug("transport agent closed");
  }
}
