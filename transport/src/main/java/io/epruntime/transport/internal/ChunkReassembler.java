package io.epruntime.transport.internal;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.epruntime.transport.MessageListener;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds frames from chunks, one partial frame per Aeron session (chunks of one publication arrive
 * in order). Chunks that are malformed, out of order or over the size limit are dropped with a log
 * line; the stream keeps serving. Used only on the transport thread.
 */
final class ChunkReassembler implements FragmentHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ChunkReassembler.class);

  private final int streamId;
  private final long maxMessageSize;
  private final MessageListener listener;
  private final Map<Integer, Partial> partials = new HashMap<>();
  private long dropped;

  private static final class Partial {
    final long messageId;
    final int count;
    final byte[] bytes;
    int nextIndex;
    int filled;

    Partial(long messageId, int count, int totalLength) {
      this.messageId = messageId;
      this.count = count;
      this.bytes = new byte[totalLength];
    }
  }

  ChunkReassembler(int streamId, long maxMessageSize, MessageListener listener) {
    this.streamId = streamId;
    this.maxMessageSize = maxMessageSize;
    this.listener = listener;
  }

  @Override
  public void onFragment(DirectBuffer buffer, int offset, int length, Header header) {
    int session = header.sessionId();
    if (length < ChunkHeader.BYTES || ChunkHeader.magic(buffer, offset) != ChunkHeader.MAGIC) {
      drop(session, "a message without the EPC1 chunk header (" + length + " bytes)");
      return;
    }
    long id = ChunkHeader.messageId(buffer, offset);
    int index = ChunkHeader.index(buffer, offset);
    int count = ChunkHeader.count(buffer, offset);
    int total = ChunkHeader.totalLength(buffer, offset);
    int bodyLength = length - ChunkHeader.BYTES;
    if (count < 1 || index < 0 || index >= count || total < 0 || total > maxMessageSize) {
      drop(session, "chunk " + index + "/" + count + " of a " + total + "-byte message (limit " + maxMessageSize + " bytes)");
      return;
    }
    Partial p = partials.get(session);
    if (index == 0) {
      if (p != null) {
        LOG.warn("stream {} session {}: message {} was incomplete ({} of {} chunks) when message {} started; dropped it",
            streamId, session, p.messageId, p.nextIndex, p.count, id);
      }
      p = new Partial(id, count, total);
      partials.put(session, p);
    } else if (p == null || p.messageId != id || p.nextIndex != index || p.count != count) {
      drop(session, "chunk " + index + " of message " + id + " out of order");
      return;
    }
    if (p.filled + bodyLength > p.bytes.length) {
      drop(session, "chunks of message " + id + " longer than its declared " + total + " bytes");
      return;
    }
    buffer.getBytes(offset + ChunkHeader.BYTES, p.bytes, p.filled, bodyLength);
    p.filled += bodyLength;
    p.nextIndex++;
    if (p.nextIndex == p.count) {
      partials.remove(session);
      if (p.filled != p.bytes.length) {
        drop(session, "message " + id + " ended at " + p.filled + " of its declared " + total + " bytes");
        return;
      }
      deliver(ByteBuffer.wrap(p.bytes).order(ByteOrder.LITTLE_ENDIAN));
    }
  }

  private void deliver(ByteBuffer frame) {
    try {
      listener.onMessage(frame);
    } catch (RuntimeException e) {
      LOG.warn("stream {}: listener failed on a {}-byte frame; continuing", streamId, frame.capacity(), e);
    }
  }

  private void drop(int session, String what) {
    partials.remove(session);
    dropped++;
    LOG.warn("stream {} session {}: dropped {} ({} dropped so far)", streamId, session, what, dropped);
  }

  /** Forgets the partial frame of a publication that went away. */
  void sessionGone(int session) {
    partials.remove(session);
  }

  long droppedCount() {
    return dropped;
  }
}
