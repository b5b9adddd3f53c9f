package io.epruntime.rank.backend.cpu;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.wire.MeshFrame;
import io.epruntime.rank.backend.EpBackend;
import io.epruntime.rank.backend.StepOutcome;
import io.epruntime.rank.backend.StepSpec;
import io.epruntime.rank.backend.WorldAbortedException;
import io.epruntime.rank.backend.WorldSpec;
import io.epruntime.transport.AeronNode;
import io.epruntime.transport.DataMesh;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code cpu} backend: the engine's {@code RankEngine} with payloads moving over the node's
 * Aeron {@link DataMesh}. Methods return at once; the work runs on the backend's own thread, and a
 * step's stage completes there when the last payload it needs arrives (a callback from the
 * transport thread, never a wait). Payloads of a generation this rank has not joined yet are held
 * (up to {@link #MAX_EARLY_FRAMES}) and replayed when it joins.
 */
public final class CpuBackend implements EpBackend {
  private static final Logger LOG = LoggerFactory.getLogger(CpuBackend.class);
  /** Payloads held for generations not joined yet; a peer that is this far ahead is dropped from. */
  static final int MAX_EARLY_FRAMES = 4096;
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Payloads travel over Aeron: no rank needs a peer window. */
  private static final byte[] NO_WINDOW = new byte[0];

  private final AeronNode node;
  private final ExecutorService thread;
  private final AutoCloseable dataListener;
  private final ArrayDeque<MeshFrame> early = new ArrayDeque<>();
  private CpuWorld world;
  /** The newest generation joined or aborted here: frames of older ones are stale. */
  private long newestGeneration = -1;

  public CpuBackend(AeronNode node) {
    this.node = node;
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ep-cpu-" + node.endpoint());
      t.setDaemon(true);
      return t;
    });
    this.dataListener = DataMesh.listen(node, frame -> post(() -> onFrame(frame)));
  }

  @Override
  public String kind() {
    return "cpu";
  }

  @Override
  public byte[] newUniqueId() {
    byte[] id = new byte[128];
    RANDOM.nextBytes(id);
    return id;
  }

  @Override
  public CompletionStage<byte[]> joinWorld(WorldSpec spec) {
    CompletableFuture<byte[]> joined = new CompletableFuture<>();
    int n = spec.config().worldSize();
    if (spec.dataEndpoints() == null || spec.dataEndpoints().size() != n) {
      joined.completeExceptionally(new EpArgumentException("dataEndpoints",
          "the cpu backend needs one data endpoint per rank (" + n + "), got " + spec.dataEndpoints()));
      return joined;
    }
    if (spec.rank() < 0 || spec.rank() >= n) {
      joined.completeExceptionally(new EpArgumentException("rank", "rank = " + spec.rank() + " is outside 0.." + (n - 1)));
      return joined;
    }
    post(() -> join(spec, joined));
    return joined;
  }

  private void join(WorldSpec spec, CompletableFuture<byte[]> joined) {
    if (world != null && world.generation == spec.generation()) {
      joined.complete(NO_WINDOW); // a duplicate bootstrap of the world already joined
      return;
    }
    if (spec.generation() <= newestGeneration) {
      joined.completeExceptionally(new EpArgumentException("generation",
          "generation " + spec.generation() + " is not newer than " + newestGeneration + ", already seen on this rank"));
      return;
    }
    if (world != null) {
      world.abort("superseded by generation " + spec.generation());
    }
    newestGeneration = spec.generation();
    DataMesh mesh = new DataMesh(node, spec.generation(), spec.rank(), spec.dataEndpoints(), frame -> post(() -> onFrame(frame)));
    world = new CpuWorld(spec.generation(), spec.rank(), spec.config(), mesh, this::post);
    int held = early.size();
    for (int i = 0; i < held; i++) {
      onFrame(early.poll()); // frames of this generation go to the world, newer ones back in the queue
    }
    LOG.info("rank {} joined generation {} ({} ranks) on {}", spec.rank(), spec.generation(), spec.config().worldSize(), node.endpoint());
    joined.complete(NO_WINDOW);
  }

  @Override
  public CompletionStage<StepOutcome> runStep(StepSpec step, HiddenStates x, Routing routing) {
    CompletableFuture<StepOutcome> result = new CompletableFuture<>();
    if (!post(() -> {
      if (world == null || world.generation != step.generation()) {
        result.completeExceptionally(new WorldAbortedException(step.generation(),
            world == null ? "this rank is in no world" : "this rank is in generation " + world.generation));
        return;
      }
      world.start(step, x, routing, result);
    })) {
      result.completeExceptionally(new WorldAbortedException(step.generation(), "cpu backend closed"));
    }
    return result;
  }

  private void onFrame(MeshFrame frame) {
    if (world != null && frame.generation() == world.generation) {
      world.onFrame(frame);
    } else if (frame.generation() > newestGeneration) {
      if (early.size() >= MAX_EARLY_FRAMES) {
        LOG.warn("dropped a payload of generation {} from rank {}: {} payloads of unjoined generations held",
            frame.generation(), frame.source(), early.size());
        return;
      }
      early.add(frame);
    } else {
      LOG.debug("dropped a stale payload of generation {} step {} from rank {}", frame.generation(), frame.seq(), frame.source());
    }
  }

  @Override
  public void abortWorld(String reason) {
    post(() -> {
      if (world != null) {
        LOG.info("rank {} aborts generation {}: {}", world.rank, world.generation, reason);
        world.abort(reason);
        world = null;
      }
      early.removeIf(f -> f.generation() <= newestGeneration);
    });
  }

  /** Steps in flight on this rank (for tests and status); answered from the backend's thread. */
  public CompletionStage<Integer> stepsInFlight() {
    CompletableFuture<Integer> f = new CompletableFuture<>();
    if (!post(() -> f.complete(world == null ? 0 : world.stepsInFlight()))) {
      f.complete(0);
    }
    return f;
  }

  private boolean post(Runnable task) {
    try {
      thread.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false; // closed
    }
  }

  @Override
  public void close() {
    abortWorld("cpu backend closed");
    try {
      dataListener.close();
    } catch (Exception e) {
      LOG.warn("closing the DATA listener failed", e);
    }
    thread.shutdown();
    try {
      if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
