package io.epruntime.transport.internal;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.epruntime.transport.MessageListener;
import io.epruntime.transport.TransportException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The receiving half of the transport thread: one subscription per listened stream, polled through
 * Aeron's fragment assembler and this transport's chunk reassembler into the stream's listener.
 */
final class StreamPoller {
  private static final int FRAGMENT_LIMIT = 64;

  private final long maxMessageSize;
  private final Map<Integer, Inbound> inbounds = new HashMap<>();
  private final List<Listen> pending = new ArrayList<>();
  private Aeron aeron;

  private record Inbound(Subscription subscription, FragmentAssembler assembler, ChunkReassembler reassembler) {}

  /** A request to listen, completed once its subscription is live. */
  static final class Listen {
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

  StreamPoller(long maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  void attach(Aeron client) {
    this.aeron = client;
  }

  /** Asks for the subscription; {@link #completeListens} installs it once the driver made it. */
  void add(Listen l, TransportAgent agent) {
    int stream = l.streamId;
    try {
      l.registrationId = aeron.asyncAddSubscription(l.channel, stream, image -> { },
          image -> agent.sessionGone(stream, image.sessionId()));
      pending.add(l);
    } catch (RuntimeException e) {
      l.ready.completeExceptionally(failure(l, e));
    }
  }

  boolean hasPending() {
    return !pending.isEmpty();
  }

  int completeListens() {
    int work = 0;
    for (int i = pending.size() - 1; i >= 0; i--) {
      Listen l = pending.get(i);
      Subscription s;
      try {
        s = aeron.getSubscription(l.registrationId);
      } catch (RuntimeException e) {
        pending.remove(i);
        l.ready.completeExceptionally(failure(l, e));
        continue;
      }
      if (s != null) {
        pending.remove(i);
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

  private static TransportException failure(Listen l, RuntimeException e) {
    return new TransportException("cannot subscribe to " + l.channel + " stream " + l.streamId + ": " + e.getMessage(), e);
  }

  /** Polls every stream; returns the fragments read. */
  int poll() {
    int work = 0;
    for (Inbound in : inbounds.values()) {
      work += in.subscription.poll(in.assembler, FRAGMENT_LIMIT);
    }
    return work;
  }

  void remove(int streamId) {
    Inbound old = inbounds.remove(streamId);
    if (old != null) {
      aeron.asyncRemoveSubscription(old.subscription.registrationId());
    }
  }

  void sessionGone(int streamId, int sessionId) {
    Inbound in = inbounds.get(streamId);
    if (in != null) {
      in.reassembler.sessionGone(sessionId);
      in.assembler.freeSessionBuffer(sessionId);
    }
  }

  void failAll(TransportException cause) {
    pending.forEach(l -> l.ready.completeExceptionally(cause));
    pending.clear();
    inbounds.clear();
  }
}
