package io.epruntime.client;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.cluster.StepError;
import io.epruntime.protocol.cluster.SubmitStep;
import io.epruntime.protocol.cluster.WorldView;
import io.epruntime.protocol.wire.StepControlCodec;
import io.epruntime.protocol.wire.StepInputFrame;
import io.epruntime.protocol.wire.StepOutputFrame;
import io.epruntime.transport.AeronNode;
import io.epruntime.transport.StepControl;
import io.epruntime.transport.StepInputPublisher;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the client's steps: checks a request against the world, sends the tensors to the ranks and
 * the control part to the coordinator, collects the outputs ({@link Attempt}) and, after a
 * retriable failure, waits for a Ready world and submits again, up to {@code maxRetries} times.
 */
final class StepSubmitter {
  private final ClientSettings settings;
  private final long clientId;
  private final AeronNode aeron;
  private final StepInputPublisher inputs;
  private final StepControl control;
  private final ReadyWait ready;
  private final AtomicLong requestIds = new AtomicLong();
  private final Map<Long, Attempt> attempts = new ConcurrentHashMap<>();
  private final Semaphore window;
  /** The world last seen Ready, checked against {@link #expected}. */
  private volatile Joined world;
  /** What every world must match: the settings' expectations, then the whole world connected to. */
  private volatile ExpectedWorld expected;

  /** A world seen Ready and how it differs from {@link #expected} (empty: it matches). Checked once per view. */
  private record Joined(WorldView view, List<String> differences) {}

  StepSubmitter(ClientSettings settings, long clientId, AeronNode aeron, StepControl control, ReadyWait ready) {
    this.settings = settings;
    this.clientId = clientId;
    this.aeron = aeron;
    this.inputs = new StepInputPublisher(aeron);
    this.control = control;
    this.ready = ready;
    this.window = new Semaphore(settings.maxInFlight());
    this.expected = settings.expectedWorld();
  }

  /** The world connected to; from now on every world must match it. */
  void connected(WorldView view) {
    expected = settings.expectedWorld().orElse(view.config());
    world = new Joined(view, List.of());
  }

  WorldView view() {
    return world.view();
  }

  /** See {@link EpClient#submit}. */
  CompletionStage<StepResult> submit(StepRequest request) {
    Joined joined = world;
    if (!joined.differences().isEmpty()) {
      return CompletableFuture.failedFuture(mismatch(joined));
    }
    try {
      StepChecks.validate(joined.view().config(), request, settings.checkFinite());
    } catch (EpArgumentException e) {
      return CompletableFuture.failedFuture(new StepRejectedException(e.argument(), e.getMessage()));
    }
    if (!window.tryAcquire()) {
      return CompletableFuture.failedFuture(new BackPressureException(
          "this client already has " + settings.maxInFlight() + " steps in flight (maxInFlight)"));
    }
    CompletableFuture<StepResult> result = new CompletableFuture<>();
    result.whenComplete((r, e) -> window.release());
    runAttempt(request, 1, System.nanoTime(), result);
    return result;
  }

  private void runAttempt(StepRequest request, int attempt, long startNanos, CompletableFuture<StepResult> result) {
    WorldView w = world.view();
    int n = w.config().worldSize();
    long requestId = requestIds.incrementAndGet();
    Attempt a = new Attempt(requestId, n);
    attempts.put(requestId, a);
    // The outputs may come at any moment until the attempt ends: keep the transport polling.
    AeronNode.AwakeHold awake = aeron.holdAwake();
    a.future.whenComplete((done, err) -> awake.close());
    a.future.orTimeout(settings.stepTimeout().toMillis(), TimeUnit.MILLISECONDS);
    int[] counts = new int[n];
    for (int r = 0; r < n; r++) {
      int rank = r;
      counts[r] = request.x().get(r).tokens();
      StepInputFrame frame = new StepInputFrame(clientId, requestId, r, aeron.endpoint(), request.x().get(r), request.routing().get(r));
      inputs.send(w.rankEndpoints().get(r), frame).whenComplete((ok, err) -> {
        if (err != null) {
          a.fail(new RetriableStepException(w.generation(), "tensors for rank " + rank + " could not be delivered to "
              + w.rankEndpoints().get(rank) + ": " + err.getMessage()));
        }
      });
    }
    sendControl(a, w, new SubmitStep(clientId, requestId, w.generation(), counts, request.kernel(), request.mode(), control.endpoint(),
        System.nanoTime()));
    a.future.whenComplete((done, err) -> {
      attempts.remove(requestId);
      if (err == null) {
        result.complete(new StepResult(done.seq(), done.generation(), done.mode(), done.outputs(), attempt,
            System.nanoTime() - startNanos, done.dispatchBytes(), done.combineBytes(), done.hops()));
      } else {
        onAttemptFailed(request, attempt, startNanos, result, w, unwrap(err));
      }
    });
  }

  /** Straight to the coordinator's node over Aeron, where the world says it is. */
  private void sendControl(Attempt a, WorldView w, SubmitStep submit) {
    if (w.submitEndpoint() == null || w.submitEndpoint().isBlank()) {
      a.fail(new RetriableStepException(w.generation(), "the cluster named no endpoint for steps yet (world "
          + w.state() + ", generation " + w.generation() + ")"));
      return;
    }
    // Its answer, if any beyond the ranks' outputs, comes to the long-lived reply actor over Pekko.
    control.send(w.submitEndpoint(), StepControlCodec.encode(submit)).whenComplete((ok, err) -> {
      if (err != null) {
        a.fail(new RetriableStepException(w.generation(), "the coordinator's node " + w.submitEndpoint()
            + " did not take the step: " + err.getMessage()));
      }
    });
  }

  private void onAttemptFailed(
      StepRequest request, int attempt, long startNanos, CompletableFuture<StepResult> result, WorldView w, Throwable cause) {
    if (cause instanceof TimeoutException) {
      cause = new RetriableStepException(w.generation(), "no complete answer within stepTimeout = " + settings.stepTimeout());
    }
    if (!(cause instanceof RetriableStepException) || cause instanceof ClusterNotReadyException || attempt > settings.maxRetries()) {
      result.completeExceptionally(cause);
      return;
    }
    ready.await(settings.connectTimeout()).whenComplete((view, err) -> {
      if (err != null) {
        result.completeExceptionally(notReadyForRetry(w, unwrap(err)));
        return;
      }
      Joined j = new Joined(view, expected.differences(view.config()));
      world = j;
      if (j.differences().isEmpty()) {
        runAttempt(request, attempt + 1, startNanos, result);
      } else {
        result.completeExceptionally(mismatch(j));
      }
    });
  }

  /** A world that was not Ready for a retry is itself retriable: the request may be submitted again later. */
  private static Throwable notReadyForRetry(WorldView w, Throwable cause) {
    if (cause instanceof GatewayUnreachableException g) {
      return new ClusterNotReadyException(w.generation(), "unknown", List.of(),
          "no gateway answered while waiting to retry the step (last generation " + w.generation() + "): " + g.getMessage(), g);
    }
    return cause;
  }

  /** A step of this client that did not complete, from the coordinator (on the transport thread). */
  void onStepError(StepError e) {
    Attempt a = attempts.get(e.requestId());
    if (a == null || e.clientId() != clientId) {
      return;
    }
    a.fail(switch (e.status()) {
      case REJECTED -> new StepRejectedException(e.field(), e.message());
      case BACK_PRESSURE -> new BackPressureException(e.message());
      case FAILED -> new EpClientException("step failed: " + e.message());
      default -> new RetriableStepException(e.generation(), e.message());
    });
  }

  void onOutput(StepOutputFrame f) {
    Attempt a = attempts.get(f.requestId());
    if (a != null && f.clientId() == clientId) {
      a.onOutput(f);
    }
  }

  /** Ends every outstanding attempt with {@code cause}; no retry follows a {@link ClientClosedException}. */
  void failAll(EpClientException cause) {
    for (Attempt a : attempts.values()) {
      a.fail(cause);
    }
  }

  private static WorldMismatchException mismatch(Joined j) {
    return new WorldMismatchException("the cluster's world (generation " + j.view().generation()
        + ") is not the one this client connected to, nothing was sent", j.differences());
  }

  static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
