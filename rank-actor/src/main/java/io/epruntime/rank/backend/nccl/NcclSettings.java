package io.epruntime.rank.backend.nccl;

import com.typesafe.config.Config;
import io.epruntime.protocol.EpArgumentException;
import java.time.Duration;

/**
 * The nccl backend's settings, validated once.
 *
 * @param device GPU ordinal ({@code ep.gpu.device}, default 0: the first of CUDA_VISIBLE_DEVICES)
 * @param smBudget most SMs a kernel spreads over ({@code ep.gpu.sm-budget}, 0 = all)
 * @param ncclLibrary library to dlopen ({@code ep.nccl-library}, empty = libnccl.so.2)
 * @param joinTimeout how long a communicator may take to come up ({@code ep.gpu.join-timeout})
 * @param healthInterval how often ncclCommGetAsyncError is checked ({@code ep.gpu.health-interval})
 * @param selfViaNccl move rows with NCCL, this rank's own rows through NCCL self send/recv too
 *     ({@code ep.gpu.self-via-nccl}; tests the NCCL path on one GPU, and skips the peer windows)
 * @param peerTimeout how long a kernel waits for a peer before it reports a time-out and the
 *     generation ends ({@code ep.gpu.peer-timeout})
 */
public record NcclSettings(
    int device, int smBudget, String ncclLibrary, Duration joinTimeout, Duration healthInterval,
    boolean selfViaNccl, Duration peerTimeout) {

  public NcclSettings {
    EpArgumentException.require(device >= 0, "ep.gpu.device", device, ">= 0");
    EpArgumentException.require(smBudget >= 0, "ep.gpu.sm-budget", smBudget, ">= 0 (0 = all SMs)");
    EpArgumentException.require(!joinTimeout.isNegative() && !joinTimeout.isZero(), "ep.gpu.join-timeout", joinTimeout, "> 0");
    EpArgumentException.require(!healthInterval.isNegative() && !healthInterval.isZero(), "ep.gpu.health-interval",
        healthInterval, "> 0");
    EpArgumentException.require(peerTimeout.toMillis() >= 1 && peerTimeout.toSeconds() <= 3600, "ep.gpu.peer-timeout",
        peerTimeout, "1ms..1h");
  }

  public static NcclSettings defaults() {
    return new NcclSettings(0, 0, "", Duration.ofSeconds(60), Duration.ofMillis(100), false, Duration.ofSeconds(5));
  }

  /** Reads the keys above where present; absent keys keep {@link #defaults()}. */
  public static NcclSettings fromConfig(Config c) {
    NcclSettings d = defaults();
    if (c == null) {
      return d;
    }
    if (c.hasPath("ep.gpu.max-tokens-per-rank")) {
      // Ranks must agree on it (peers write at offsets derived from it): it moved into the world.
      throw new EpArgumentException("ep.gpu.max-tokens-per-rank", "ep.gpu.max-tokens-per-rank is no longer read: set the "
          + "world's ep.max-tokens-per-rank instead (the same on every rank)");
    }
    return new NcclSettings(
        c.hasPath("ep.gpu.device") ? c.getInt("ep.gpu.device") : d.device,
        c.hasPath("ep.gpu.sm-budget") ? c.getInt("ep.gpu.sm-budget") : d.smBudget,
        c.hasPath("ep.nccl-library") ? c.getString("ep.nccl-library") : d.ncclLibrary,
        c.hasPath("ep.gpu.join-timeout") ? c.getDuration("ep.gpu.join-timeout") : d.joinTimeout,
        c.hasPath("ep.gpu.health-interval") ? c.getDuration("ep.gpu.health-interval") : d.healthInterval,
        c.hasPath("ep.gpu.self-via-nccl") ? c.getBoolean("ep.gpu.self-via-nccl") : d.selfViaNccl,
        c.hasPath("ep.gpu.peer-timeout") ? c.getDuration("ep.gpu.peer-timeout") : d.peerTimeout);
  }

  public NcclSettings withSelfViaNccl(boolean on) {
    return new NcclSettings(device, smBudget, ncclLibrary, joinTimeout, healthInterval, on, peerTimeout);
  }

  public NcclSettings withPeerTimeout(Duration t) {
    return new NcclSettings(device, smBudget, ncclLibrary, joinTimeout, healthInterval, selfViaNccl, t);
  }

  /** The library path to open, or null for NCCL's default name (or the EP_NCCL_LIBRARY override). */
  String libraryOrNull() {
    return ncclLibrary == null || ncclLibrary.isBlank() ? null : ncclLibrary;
  }
}
