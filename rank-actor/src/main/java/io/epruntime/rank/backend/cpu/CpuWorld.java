package io.epruntime.rank.backend.cpu;

import io.epruntime.engine.ExpertKernel;
import io.epruntime.engine.RankEngine;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.wire.MeshFrame;
import io.epruntime.rank.backend.StepOutcome;
import io.epruntime.rank.backend.StepSpec;
import io.epruntime.rank.backend.WorldAbortedException;
import io.epruntime.transport.DataMesh;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One generation of the world as this rank sees it: the engine, the mesh, the steps in flight and
 * the payloads that arrived for them (also for steps this rank has not started yet, up to
 * {@link #MAX_BUFFERED_STEPS}). Confined to the backend's thread.
 */
final class CpuWorld {
  private static final Logger LOG = LoggerFactory.getLogger(CpuWorld.class);
  /** Steps whose payloads may be held before this rank starts them; more means a peer ran far ahead. */
  static final int MAX_BUFFERED_STEPS = 256;

  final long generation;
  final int rank;
  final EpConfig config;
  private final RankEngine engine;
  private final DataMesh mesh;
  private final Executor thread;
  private final Map<ExpertKernelSpec, ExpertKernel> kernels = new HashMap<>();
  private final Map<Long, StepInbox> inboxes = new HashMap<>();
  private final Map<Long, CpuStep> steps = new HashMap<>();
  /** Steps finished or failed here, newest last: late payloads of theirs are dropped, not buffered. */
  private final Set<Long> closedSteps = new LinkedHashSet<>();

  CpuWorld(long generation, int rank, EpConfig config, DataMesh mesh, Executor thread) {
    this.generation = generation;
    this.rank = rank;
    this.config = config;
    this.engine = new RankEngine(config, rank);
    this.mesh = mesh;
    this.thread = thread;
  }

  void start(StepSpec spec, HiddenStates x, Routing routing, CompletableFuture<StepOutcome> result) {
    if (steps.containsKey(spec.seq()) || closedSteps.contains(spec.seq())) {
      result.completeExceptionally(new EpArgumentException("seq",
          "step " + spec.seq() + " already ran or is running on rank " + rank + " in generation " + generation));
      return;
    }
    ByteBuffer[] payloads;
    CpuStep step;
    try {
      ExpertKernel kernel = kernels.computeIfAbsent(spec.expertKernel(), k -> ExpertKernel.of(k, config));
      step = new CpuStep(spec, engine, kernel, x, routing, result);
      payloads = step.dispatchPayloads();
    } catch (RuntimeException e) {
      result.completeExceptionally(e); // bad input: nothing was sent
      return;
    }
    steps.put(spec.seq(), step);
    send(spec.seq(), MeshFrame.DISPATCH, payloads);
    progress(spec.seq());
  }

  void onFrame(MeshFrame frame) {
    if (closedSteps.contains(frame.seq())) {
      LOG.debug("rank {} generation {}: dropped a late payload of closed step {} from rank {}", rank, generation, frame.seq(), frame.source());
      return;
    }
    StepInbox inbox = inboxes.get(frame.seq());
    if (inbox == null) {
      if (inboxes.size() >= MAX_BUFFERED_STEPS) {
        LOG.warn("rank {} generation {}: dropped a payload of step {} from rank {}: {} steps already buffered",
            rank, generation, frame.seq(), frame.source(), inboxes.size());
        return;
      }
      inbox = new StepInbox(config.worldSize());
      inboxes.put(frame.seq(), inbox);
    }
    if (!inbox.add(frame)) {
      LOG.warn("rank {} generation {}: ignored a duplicate or out-of-range payload of step {} phase {} from rank {}",
          rank, generation, frame.seq(), frame.phase(), frame.source());
      return;
    }
    progress(frame.seq());
  }

  private void progress(long seq) {
    CpuStep step = steps.get(seq);
    StepInbox inbox = inboxes.get(seq);
    if (step == null || inbox == null) {
      return;
    }
    try {
      if (step.phase() == CpuStep.Phase.DISPATCHING && inbox.complete(MeshFrame.DISPATCH)) {
        send(seq, MeshFrame.COMBINE, step.receiveDispatchAndRunExperts(inbox.take(MeshFrame.DISPATCH)));
      }
      if (step.phase() == CpuStep.Phase.COMBINING && inbox.complete(MeshFrame.COMBINE)) {
        step.receiveCombine(inbox.take(MeshFrame.COMBINE));
        forget(seq);
      }
    } catch (RuntimeException e) {
      LOG.warn("rank {} generation {}: step {} failed", rank, generation, seq, e);
      fail(seq, e);
    }
  }

  private void send(long seq, byte phase, ByteBuffer[] payloads) {
    for (int d = 0; d < payloads.length; d++) {
      int destination = d;
      mesh.send(d, seq, phase, payloads[d]).whenComplete((v, e) -> {
        if (e != null) {
          thread.execute(() -> fail(seq, new IllegalStateException(
              "rank " + rank + " could not send step " + seq + " to rank " + destination + ": " + e.getMessage(), e)));
        }
      });
    }
  }

  private void fail(long seq, Throwable cause) {
    CpuStep step = steps.get(seq);
    if (step != null) {
      step.fail(cause);
    }
    forget(seq);
  }

  private void forget(long seq) {
    steps.remove(seq);
    inboxes.remove(seq);
    closedSteps.add(seq);
    if (closedSteps.size() > MAX_BUFFERED_STEPS) {
      Iterator<Long> oldest = closedSteps.iterator();
      oldest.next();
      oldest.remove();
    }
  }

  int stepsInFlight() {
    return steps.size();
  }

  /** Fails every step in flight with {@link WorldAbortedException} and closes the mesh. */
  void abort(String reason) {
    mesh.close();
    for (CpuStep step : new ArrayList<>(steps.values())) {
      step.fail(new WorldAbortedException(generation, reason));
    }
    steps.clear();
    inboxes.clear();
  }
}
