package io.epruntime.transport;

import io.epruntime.protocol.wire.BootstrapRecord;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coordinator side of bootstrap: offers a {@link BootstrapRecord} on a rank's BOOTSTRAP stream and
 * re-sends it every {@code bootstrap-resend-interval} until {@link #acknowledged} is called for its
 * (generation, rank), {@link #cancel} drops the generation, or {@code bootstrap-timeout} passes.
 * Re-sends come from a timer thread that sleeps between them; a rank that is not listening yet
 * (not connected) or is back-pressured is simply tried again at the next tick.
 */
public final class BootstrapPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BootstrapPublisher.class);

  private final AeronNode node;
  private final Duration resendInterval;
  private final Duration timeout;
  private final ScheduledExecutorService timer;
  private final Map<Key, Pending> pending = new ConcurrentHashMap<>();

  private record Key(long generation, int rank, BootstrapRecord.Phase phase) {}

  private static final class Pending {
    final CompletableFuture<Void> acked = new CompletableFuture<>();
    final AtomicBoolean sending = new AtomicBoolean();
    volatile ScheduledFuture<?> resends;
    volatile ScheduledFuture<?> deadline;
    int attempts;
  }

  public BootstrapPublisher(AeronNode node) {
    this(node, node.settings().bootstrapResendInterval(), node.settings().bootstrapTimeout());
  }

  public BootstrapPublisher(AeronNode node, Duration resendInterval, Duration timeout) {
    this.node = node;
    this.resendInterval = resendInterval;
    this.timeout = timeout;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ep-bootstrap-resend");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Sends {@code record} to the rank at {@code rankEndpoint} until acknowledged. The stage completes
   * on {@link #acknowledged}, fails with {@link CancellationException} on {@link #cancel} and with
   * {@link TimeoutException} after {@code bootstrap-timeout}. Publishing the same (generation, rank,
   * phase) again returns the stage already running.
   */
  public CompletionStage<Void> publish(String rankEndpoint, BootstrapRecord record) {
    Key key = new Key(record.generation(), record.rank(), record.phase());
    Pending fresh = new Pending();
    Pending existing = pending.putIfAbsent(key, fresh);
    if (existing != null) {
      return existing.acked;
    }
    byte[] frame = record.encode();
    fresh.acked.whenComplete((v, e) -> {
      pending.remove(key, fresh);
      cancelTimers(fresh);
    });
    fresh.deadline = timer.schedule(() -> fresh.acked.completeExceptionally(new TimeoutException(
        "rank " + record.rank() + " at " + rankEndpoint + " did not acknowledge bootstrap phase " + record.phase()
            + " of generation " + record.generation() + " within " + timeout.toMillis() + " ms (" + fresh.attempts + " sends)")),
        timeout.toMillis(), TimeUnit.MILLISECONDS);
    fresh.resends = timer.scheduleWithFixedDelay(() -> sendOnce(rankEndpoint, frame, key, fresh),
        0, resendInterval.toMillis(), TimeUnit.MILLISECONDS);
    if (fresh.acked.isDone()) {
      cancelTimers(fresh); // acknowledged or cancelled before the timers were set
    }
    return fresh.acked;
  }

  private void sendOnce(String endpoint, byte[] frame, Key key, Pending p) {
    if (p.acked.isDone() || !p.sending.compareAndSet(false, true)) {
      return; // the previous send is still waiting for a connection or for back-pressure
    }
    p.attempts++;
    node.send(endpoint, Streams.BOOTSTRAP, frame, resendInterval).whenComplete((v, e) -> {
      p.sending.set(false);
      if (e != null) {
        LOG.debug("bootstrap of generation {} to rank {} at {} not delivered yet: {}", key.generation, key.rank, endpoint, e.getMessage());
      }
    });
  }

  /** The rank acknowledged (generation, rank, phase): its publish stage completes and re-sends stop. */
  public void acknowledged(long generation, int rank, BootstrapRecord.Phase phase) {
    Pending p = pending.get(new Key(generation, rank, phase));
    if (p != null) {
      p.acked.complete(null);
    }
  }

  /** Stops every publish of {@code generation}; their stages fail with {@link CancellationException}. */
  public void cancel(long generation) {
    pending.forEach((k, p) -> {
      if (k.generation == generation) {
        p.acked.completeExceptionally(new CancellationException("bootstrap of generation " + generation + " was cancelled"));
      }
    });
  }

  /** Publishes not yet acknowledged. */
  public int pendingCount() {
    return pending.size();
  }

  private static void cancelTimers(Pending p) {
    ScheduledFuture<?> r = p.resends;
    ScheduledFuture<?> d = p.deadline;
    if (r != null) {
      r.cancel(false);
    }
    if (d != null) {
      d.cancel(false);
    }
  }

  /** Cancels every pending publish and stops the timer thread. */
  @Override
  public void close() {
    pending.values().forEach(p -> p.acked.completeExceptionally(new CancellationException("bootstrap publisher closed")));
    timer.shutdownNow();
  }
}
