package io.epruntime.rank.backend.nccl;

import com.typesafe.config.Config;
import io.epruntime.nativeep.EpGroup.CommState;
import io.epruntime.nativeep.EpGroupConfig;
import io.epruntime.nativeep.EpGroupConfig.DataPath;
import io.epruntime.nativeep.NativeEpException;
import io.epruntime.nativeep.NativeEpLibrary;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.rank.backend.EpBackend;
import io.epruntime.rank.backend.StepOutcome;
import io.epruntime.rank.backend.StepSpec;
import io.epruntime.rank.backend.WorldAbortedException;
import io.epruntime.rank.backend.WorldSpec;
import io.epruntime.rank.gpu.GpuDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code nccl} backend: native-ep on this rank's GPU. Every CUDA call runs on the GPU's own
 * thread; a step queues H2D copies, dispatch, experts, combine and the D2H copy on one stream, and
 * a CUDA host function reports its end (no thread waits on the GPU). Ranks on one host move rows
 * through each other's workspaces (peer windows, mapped in {@link #connectPeers}); ranks on several
 * hosts through NCCL, whose non-blocking communicator is started, and checked, on a timer.
 */
public final class NcclBackend implements EpBackend {
  private static final Logger LOG = LoggerFactory.getLogger(NcclBackend.class);
  private static final byte[] NO_WINDOW = new byte[0];
  /** How often an op or a warm-up whose NCCL group is still being enqueued is checked again. */
  private static final long NCCL_POLL_MICROS = 200;
  private final int rank;
  private final NcclSettings settings;
  private final GpuDevice gpu;
  private final GpuDevice.Stream stream;
  private final StepRunner runner;
  private final ScheduledExecutorService timer;
  private final Set<CompletableFuture<StepOutcome>> inFlight = ConcurrentHashMap.newKeySet();
  private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);
  private NcclWorld world;
  private volatile long generation = -1;
  private ScheduledFuture<?> health;
  private volatile String transport = "none (no generation joined)";

  /** A node's backend: the world's shape, this rank, the node's config. */
  public NcclBackend(EpConfig config, int rank, Config conf) {
    this(rank, NcclSettings.fromConfig(conf));
  }

  NcclBackend(int rank, NcclSettings settings) {
    NcclAvailability a = NcclAvailability.check(settings.libraryOrNull());
    if (!a.available()) {
      throw new EpArgumentException("ep.backend", "ep.backend = nccl but it cannot run here: " + a.reason());
    }
    this.rank = rank;
    this.settings = settings;
    this.gpu = GpuDevice.open(settings.device());
    this.stream = gpu.call(gpu::newStream).join();
    this.runner = new StepRunner(gpu, stream);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ep-nccl-timer-" + rank);
      t.setDaemon(true);
      return t;
    });
  }

  /** Opens a backend with explicit settings (tests, benchmarks). */
  public static NcclBackend open(int rank, NcclSettings settings) {
    return new NcclBackend(rank, settings);
  }

  /** Whether this JVM can run the nccl backend: GPU, native-ep and NCCL, with the reason. */
  public static NcclAvailability availability() {
    return NcclAvailability.check(NativeEpLibrary.defaultNcclPath());
  }

  @Override
  public String kind() {
    return "nccl";
  }

  /** The GPU this backend drives. */
  public GpuDevice device() {
    return gpu;
  }

  /** The stream this backend queues its steps on (tests and benchmarks queue on it too). */
  GpuDevice.Stream stepStream() {
    return stream;
  }

  /** The current generation's state; GPU thread only (tests read device buffers through it). */
  NcclWorld currentWorld() {
    return world;
  }

  @Override
  public byte[] newUniqueId() {
    return NativeEpLibrary.ncclUniqueId();
  }

  /**
   * Phase one: allocates the generation's workspace. On the peer path it completes with this rank's
   * window; with {@code ep.gpu.self-via-nccl} it starts NCCL at once and completes with no window
   * once the communicator is ready.
   */
  @Override
  public CompletionStage<byte[]> joinWorld(WorldSpec spec) {
    EpArgumentException.require(spec.rank() == rank, "world.rank", spec.rank(), "this node's rank " + rank);
    failInFlight(spec.generation(), "generation " + spec.generation() + " replaces it");
    CompletableFuture<byte[]> joined = new CompletableFuture<>();
    gpu.execute(() -> {
      try {
        closeWorld();
        DataPath path = settings.selfViaNccl() ? DataPath.NCCL_SELF : DataPath.PEER_WINDOWS;
        EpGroupConfig cfg = EpGroupConfig.of(spec.config(), spec.rank(), spec.config().maxTokensPerRank(), settings.smBudget(), path);
        world = NcclWorld.start(gpu, stream, spec.generation(), cfg, spec.uniqueId());
        generation = spec.generation();
        if (path == DataPath.PEER_WINDOWS) {
          joined.complete(world.window(gpu).encode());
        } else {
          pollJoin(world, () -> joined.complete(NO_WINDOW), joined, System.nanoTime() + settings.joinTimeout().toNanos());
        }
      } catch (RuntimeException e) {
        joined.completeExceptionally(e);
      }
    });
    return joined;
  }

  /**
   * Phase two: with every rank's window on this host, maps them and runs the peer path (no NCCL;
   * NCCL could not even build a communicator whose ranks share a GPU). Otherwise some rank is on
   * another host (or brought no window): the workspace is rebuilt for NCCL's host-API path and the
   * communicator started from the generation's unique id.
   */
  @Override
  public CompletionStage<Void> connectPeers(long gen, List<byte[]> windows) {
    CompletableFuture<Void> connected = new CompletableFuture<>();
    gpu.execute(() -> {
      NcclWorld w = world;
      if (w == null || w.generation != gen) {
        connected.completeExceptionally(new WorldAbortedException(gen, "this rank is in generation "
            + (w == null ? "none" : w.generation)));
        return;
      }
      if (w.ready) {
        connected.complete(null); // NCCL path chosen at join (ep.gpu.self-via-nccl)
        return;
      }
      try {
        EpArgumentException.require(windows.size() == w.config.worldSize(), "windows", windows.size(),
            "one per rank (" + w.config.worldSize() + ")");
        List<PeerWindow> peers = new ArrayList<>(windows.size());
        for (byte[] b : windows) {
          peers.add(b == null || b.length == 0 ? null : PeerWindow.decode(b));
        }
        PeerWindow mine = peers.get(rank);
        if (mine != null && mine.sameHostAs(peers)) {
          w.connectPeers(peers, settings.peerTimeout());
          w.ready = true;
          long gpus = peers.stream().map(PeerWindow::busId).distinct().count();
          transport = "peer windows (" + peers.size() + " ranks on " + gpus + " GPU" + (gpus == 1 ? "" : "s")
              + " of one host, CUDA IPC; no NCCL communicator)";
          LOG.info("rank {} generation {}: {}", rank, gen, transport);
          connected.complete(null);
          return;
        }
        transport = "NCCL (ranks on more than one host)";
        LOG.info("rank {} generation {}: {}", rank, gen, transport);
        closeWorld();
        EpGroupConfig cfg = w.config.withPath(DataPath.NCCL);
        world = NcclWorld.start(gpu, stream, gen, cfg, w.uniqueId);
        pollJoin(world, () -> connected.complete(null), connected, System.nanoTime() + settings.joinTimeout().toNanos());
      } catch (RuntimeException e) {
        connected.completeExceptionally(e);
      }
    });
    return connected;
  }

  /** Runs {@code work} on the GPU thread after a short timer tick (polling NCCL without waiting on a thread). */
  private void soon(Runnable work) {
    timer.schedule(() -> gpu.execute(work), NCCL_POLL_MICROS, TimeUnit.MICROSECONDS);
  }

  /** How this generation moves rows (for logs and status). */
  public String transport() {
    return transport;
  }

  /** Checks the communicator on a timer until it is ready, failed or late; never spins. */
  private void pollJoin(NcclWorld w, Runnable onReady, CompletableFuture<?> joined, long deadline) {
    if (world != w) {
      joined.completeExceptionally(new WorldAbortedException(w.generation, "replaced while joining"));
      return;
    }
    try {
      CommState s = w.group.commState();
      if (s.phase() == CommState.Phase.READY) {
        // Connect to every peer now, not on the first step: one tiny exchange with each.
        warmUp(w, w.group.commWarmup(), onReady, joined);
      } else if (s.phase() == CommState.Phase.FAILED || System.nanoTime() > deadline) {
        String why = s.phase() == CommState.Phase.FAILED ? s.error() : "communicator not ready after " + settings.joinTimeout();
        closeWorld();
        joined.completeExceptionally(new WorldAbortedException(w.generation, why));
      } else {
        timer.schedule(() -> gpu.execute(() -> pollJoin(w, onReady, joined, deadline)), 1, TimeUnit.MILLISECONDS);
      }
    } catch (RuntimeException e) {
      closeWorld();
      joined.completeExceptionally(e);
    }
  }

  private void warmUp(NcclWorld w, boolean queued, Runnable onReady, CompletableFuture<?> joined) {
    if (world != w) {
      joined.completeExceptionally(new WorldAbortedException(w.generation, "replaced while joining"));
      return;
    }
    if (!queued) {
      soon(() -> {
        try {
          warmUp(w, w.group.resume(), onReady, joined);
        } catch (RuntimeException e) {
          closeWorld();
          joined.completeExceptionally(e);
        }
      });
      return;
    }
    w.ready = true;
    startHealthChecks(w);
    onReady.run();
  }

  private void startHealthChecks(NcclWorld w) {
    long every = settings.healthInterval().toMillis();
    health = timer.scheduleAtFixedRate(() -> gpu.execute(() -> {
      if (world == w && w.ready) {
        CommState s = w.group.commState();
        if (s.phase() == CommState.Phase.FAILED) {
          abortWorld("NCCL reported: " + s.error());
        }
      }
    }), every, every, TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletionStage<StepOutcome> runStep(StepSpec step, HiddenStates x, Routing routing) {
    CompletableFuture<StepOutcome> result = new CompletableFuture<>();
    inFlight.add(result);
    result.whenComplete((v, e) -> inFlight.remove(result));
    synchronized (this) {
      // Steps share the pinned staging, so one runs at a time, in the order they were given.
      tail = tail.handle((v, e) -> null).thenCompose(ignored -> {
        gpu.execute(() -> start(step, x, routing, result));
        return result.handle((v, e) -> null);
      });
    }
    return result;
  }

  private void start(StepSpec step, HiddenStates x, Routing routing, CompletableFuture<StepOutcome> result) {
    NcclWorld w = world;
    if (result.isDone()) {
      return;
    }
    if (w == null || !w.ready || w.generation != step.generation()) {
      result.completeExceptionally(new WorldAbortedException(step.generation(),
          "this rank is in generation " + (w == null ? "none" : w.generation + (w.ready ? "" : " (joining)"))));
      return;
    }
    try {
      runner.run(w, step, x, routing, result, this::abortWorld, this::soon);
    } catch (NativeEpException e) {
      if (e.status() == NativeEpException.NCCL || e.status() == NativeEpException.CUDA) {
        abortWorld("step " + step.seq() + ": " + e.getMessage());
      }
      result.completeExceptionally(e);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  @Override
  public void abortWorld(String reason) {
    long g = generation;
    LOG.warn("rank {}: generation {} ends on this GPU: {}", rank, g, reason);
    failInFlight(g, reason);
    gpu.execute(this::closeWorld);
  }

  private void failInFlight(long g, String reason) {
    for (CompletableFuture<StepOutcome> f : inFlight) {
      f.completeExceptionally(new WorldAbortedException(g, reason));
    }
  }

  private void closeWorld() {
    if (health != null) {
      health.cancel(false);
      health = null;
    }
    if (world != null) {
      NcclWorld w = world;
      world = null;
      w.close(gpu, stream);
    }
  }

  @Override
  public void close() {
    abortWorld("backend closed");
    timer.shutdownNow();
    gpu.close();
  }
}
