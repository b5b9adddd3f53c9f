package io.epruntime.transport.internal;

import java.util.concurrent.CompletableFuture;
import org.agrona.concurrent.UnsafeBuffer;

/** One frame on its way out: its chunks are offered in order; the future says how it ended. */
final class Outbound {
  final String endpoint;
  final int streamId;
  final UnsafeBuffer body;
  final int length;
  final long messageId;
  final int chunkCount;
  final long timeoutNs;
  final CompletableFuture<Void> done = new CompletableFuture<>();
  int nextChunk;
  /** Set when the first offer is tried; the send fails when it is not finished by then. */
  long deadlineNs = Long.MIN_VALUE;

  Outbound(String endpoint, int streamId, byte[] frame, long messageId, int chunkSize, long timeoutNs) {
    this.endpoint = endpoint;
    this.streamId = streamId;
    this.body = new UnsafeBuffer(frame);
    this.length = frame.length;
    this.messageId = messageId;
    this.chunkCount = Math.max(1, (frame.length + chunkSize - 1) / chunkSize);
    this.timeoutNs = timeoutNs;
  }
}
