package io.epruntime.protocol.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;

/**
 * The {@code ep { ... }} block of the configuration (documented key by key in this module's
 * {@code reference.conf}), read and validated once at start-up into immutable values. A missing,
 * mistyped or out-of-range key fails at once with an {@link EpArgumentException} naming the key,
 * the value and what is allowed, e.g. {@code ep.experts = 10 is not divisible by ep.world-size = 4}.
 *
 * @param world the world's shape
 * @param expertKernel what the experts compute
 */
public record EpSettings(EpConfig world, ExpertKernelSpec expertKernel) {

  public EpSettings {
    if (world == null || expertKernel == null) {
      throw new EpArgumentException("ep", "ep settings need both the world and the expert kernel");
    }
  }

  /** Loads {@code application.conf}, system properties and the environment over the reference defaults. */
  public static EpSettings load() {
    return fromConfig(ConfigFactory.load());
  }

  /** Reads and validates the {@code ep} block of a resolved configuration. */
  public static EpSettings fromConfig(Config config) {
    EpConfig world = new EpConfig(
        intKey(config, "ep.world-size", "1.." + EpConfig.MAX_WORLD_SIZE),
        intKey(config, "ep.experts", "a multiple of ep.world-size"),
        intKey(config, "ep.hidden", ">= 1 (a multiple of 128 for fp8-e4m3)"),
        intKey(config, "ep.topk", "1.." + EpConfig.MAX_TOPK),
        intKey(config, "ep.ll-max-tokens-per-rank", ">= 0"),
        intKey(config, "ep.alignment", ">= 1"),
        DType.parse("ep.dtype", stringKey(config, "ep.dtype", DType.allowedNames())),
        intKey(config, "ep.max-tokens-per-rank", ">= ep.ll-max-tokens-per-rank and >= 1"));
    String names = String.join(", ", ExpertKernelSpec.NAMES);
    String name = stringKey(config, "ep.expert-kernel.name", names);
    if (!ExpertKernelSpec.NAMES.contains(name)) {
      throw new EpArgumentException("ep.expert-kernel.name", "ep.expert-kernel.name = " + name + " is not allowed: " + names);
    }
    long seed = longKey(config, "ep.expert-kernel.seed", "a 64-bit integer");
    int intermediate = intKey(config, "ep.expert-kernel.intermediate", ">= 1");
    EpArgumentException.require(intermediate >= 1, "ep.expert-kernel.intermediate", intermediate, ">= 1");
    return new EpSettings(world, new ExpertKernelSpec(name, seed, intermediate));
  }

  private static int intKey(Config config, String key, String allowed) {
    try {
      return config.getInt(key);
    } catch (ConfigException.Missing e) {
      throw missing(key, allowed);
    } catch (ConfigException.WrongType e) {
      throw wrongType(config, key, "an integer", allowed);
    }
  }

  private static long longKey(Config config, String key, String allowed) {
    try {
      return config.getLong(key);
    } catch (ConfigException.Missing e) {
      throw missing(key, allowed);
    } catch (ConfigException.WrongType e) {
      throw wrongType(config, key, "an integer", allowed);
    }
  }

  private static String stringKey(Config config, String key, String allowed) {
    try {
      return config.getString(key);
    } catch (ConfigException.Missing e) {
      throw missing(key, allowed);
    } catch (ConfigException.WrongType e) {
      throw wrongType(config, key, "a string", allowed);
    }
  }

  private static EpArgumentException missing(String key, String allowed) {
    return new EpArgumentException(key, key + " is not set; allowed: " + allowed);
  }

  private static EpArgumentException wrongType(Config config, String key, String kind, String allowed) {
    Object raw = config.getValue(key).unwrapped();
    return new EpArgumentException(key, key + " = " + raw + " is not " + kind + "; allowed: " + allowed);
  }
}
