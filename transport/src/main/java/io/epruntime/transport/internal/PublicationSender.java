package io.epruntime.transport.internal;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.epruntime.transport.Streams;
import io.epruntime.transport.TransportException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The sending half of the transport thread: one exclusive publication and one FIFO of frames per
 * (endpoint, stream). A frame that meets back-pressure or no subscriber stays at the head of its
 * queue and is tried again on the next duty cycle, until its deadline; other destinations go on.
 */
final class PublicationSender {
  /** A publication nothing was sent on for this long is removed (peers of past generations). */
  private static final long PUBLICATION_IDLE_NS = TimeUnit.MINUTES.toNanos(2);

  private final int chunkSize;
  private final Map<String, Destination> destinations = new HashMap<>();
  private final List<Destination> busy = new ArrayList<>();
  private final UnsafeBuffer chunkHeader = new UnsafeBuffer(new byte[ChunkHeader.BYTES]);
  private Aeron aeron;

  private static final class Destination {
    final String channel;
    final int streamId;
    final ArrayDeque<Outbound> queue = new ArrayDeque<>();
    long registrationId = Aeron.NULL_VALUE;
    ExclusivePublication publication;
    long lastUsedNs = System.nanoTime();

    Destination(String channel, int streamId) {
      this.channel = channel;
      this.streamId = streamId;
    }
  }

  PublicationSender(int chunkSize) {
    this.chunkSize = chunkSize;
  }

  void attach(Aeron client) {
    this.aeron = client;
  }

  void enqueue(Outbound o) {
    Destination d = destinations.computeIfAbsent(o.endpoint + "#" + o.streamId,
        k -> new Destination(Streams.channel(o.endpoint), o.streamId));
    if (d.queue.isEmpty()) {
      busy.add(d);
    }
    d.queue.add(o);
    d.lastUsedNs = System.nanoTime();
  }

  /** True while some frame waits to go out. */
  boolean hasQueued() {
    return !busy.isEmpty();
  }

  /** Offers what can go now; returns the chunks offered. */
  int offerAll(long now) {
    int work = 0;
    for (int i = busy.size() - 1; i >= 0; i--) {
      Destination d = busy.get(i);
      work += offerQueued(d, now);
      if (d.queue.isEmpty()) {
        busy.remove(i);
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

  /** Non-blocking: asks for the publication once, then checks whether the driver has made it. */
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

  private static void failExpired(Destination d, long now, String state) {
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

  /** Removes publications unused for {@link #PUBLICATION_IDLE_NS}. */
  void removeIdlePublications(long now) {
    destinations.values().removeIf(d -> {
      if (!d.queue.isEmpty() || now - d.lastUsedNs < PUBLICATION_IDLE_NS) {
        return false;
      }
      if (d.registrationId != Aeron.NULL_VALUE) {
        aeron.asyncRemovePublication(d.registrationId);
      }
      return true;
    });
  }

  /** Fails every queued frame and forgets all publications (closing the client frees them). */
  void failAll(TransportException cause) {
    for (Destination d : destinations.values()) {
      d.queue.forEach(o -> o.done.completeExceptionally(cause));
      d.queue.clear();
    }
    destinations.clear();
    busy.clear();
  }
}
