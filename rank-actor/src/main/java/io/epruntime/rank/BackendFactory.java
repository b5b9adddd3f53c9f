package io.epruntime.rank;

import com.typesafe.config.Config;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.rank.backend.EpBackend;
import io.epruntime.rank.backend.cpu.CpuBackend;
import io.epruntime.rank.backend.nccl.NcclAvailability;
import io.epruntime.rank.backend.nccl.NcclBackend;
import io.epruntime.transport.AeronNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks and builds a node's backend for {@code ep.backend = auto | cpu | nccl}. Referring to the
 * nccl classes is safe on any machine: nothing native is touched until
 * {@link NcclBackend#availability()} probes (and catches everything), so {@code auto} falls back
 * to cpu on a machine without a GPU, the native library or NCCL.
 */
public final class BackendFactory {
  private static final Logger LOG = LoggerFactory.getLogger(BackendFactory.class);

  private BackendFactory() {}

  /** Builds the backend {@code kind} names; {@code auto} takes nccl when available, else cpu. */
  public static EpBackend create(String kind, AeronNode node, EpConfig world, int rank, Config config) {
    switch (kind) {
      case "cpu":
        return new CpuBackend(node);
      case "nccl": {
        String why = ncclUnavailability();
        if (why != null) {
          throw new EpArgumentException("ep.backend", "ep.backend = nccl but NCCL is not available here: " + why);
        }
        return new NcclBackend(world, rank, config);
      }
      case "auto": {
        String why = ncclUnavailability();
        if (why == null) {
          return new NcclBackend(world, rank, config);
        }
        LOG.info("ep.backend = auto: using cpu ({})", why);
        return new CpuBackend(node);
      }
      default:
        throw new EpArgumentException("ep.backend", "ep.backend = " + kind + " is not one of auto, cpu, nccl");
    }
  }

  /** Null when the nccl backend says it can run here, else the reason it cannot. */
  public static String ncclUnavailability() {
    try {
      NcclAvailability a = NcclBackend.availability();
      return a.available() ? null : a.reason();
    } catch (LinkageError e) {
      return "nccl backend not loadable: " + e;
    }
  }
}
