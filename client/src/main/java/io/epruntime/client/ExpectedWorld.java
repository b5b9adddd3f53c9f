package io.epruntime.client;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The world a client was configured for: the {@code ep { ... }} world keys of the protocol's
 * reference.conf that the client's user set. Each field is either a value the cluster must run or
 * null, meaning "whatever the cluster runs". {@link EpClient#connect} compares it with the world the
 * coordinator reports ({@code WorldView}) and refuses a cluster that differs, naming every
 * differing key with both values, before anything is sent.
 *
 * <p>The expert kernel is not part of it: every step names its own ({@link StepRequest#kernel()}),
 * and nodes do not read {@code ep.expert-kernel}.
 *
 * @param worldSize {@code ep.world-size}
 * @param experts {@code ep.experts}
 * @param hidden {@code ep.hidden}
 * @param topk {@code ep.topk}
 * @param llMaxTokensPerRank {@code ep.ll-max-tokens-per-rank}
 * @param alignment {@code ep.alignment}
 * @param dtype {@code ep.dtype}
 */
public record ExpectedWorld(
    Integer worldSize, Integer experts, Integer hidden, Integer topk, Integer llMaxTokensPerRank, Integer alignment, DType dtype) {

  /** Expects nothing: the client adopts whatever world the cluster runs. */
  public static final ExpectedWorld ANY = new ExpectedWorld(null, null, null, null, null, null, null);

  /** One world key: its name, how to read it from a config and from an {@link EpConfig}. */
  private record Key(String name, Function<ExpectedWorld, Object> expected, Function<EpConfig, Object> actual) {}

  private static final List<Key> KEYS = List.of(
      new Key("ep.world-size", ExpectedWorld::worldSize, EpConfig::worldSize),
      new Key("ep.experts", ExpectedWorld::experts, EpConfig::experts),
      new Key("ep.hidden", ExpectedWorld::hidden, EpConfig::hidden),
      new Key("ep.topk", ExpectedWorld::topk, EpConfig::topk),
      new Key("ep.ll-max-tokens-per-rank", ExpectedWorld::llMaxTokensPerRank, EpConfig::llMaxTokensPerRank),
      new Key("ep.alignment", ExpectedWorld::alignment, EpConfig::alignment),
      new Key("ep.dtype", ExpectedWorld::dtype, EpConfig::dtype));

  public ExpectedWorld {
    InvalidArgumentException.require(worldSize == null || (worldSize >= 1 && worldSize <= EpConfig.MAX_WORLD_SIZE), "ep.world-size",
        worldSize, "1.." + EpConfig.MAX_WORLD_SIZE);
    InvalidArgumentException.require(experts == null || experts >= 1, "ep.experts", experts, ">= 1");
    InvalidArgumentException.require(hidden == null || hidden >= 1, "ep.hidden", hidden, ">= 1");
    InvalidArgumentException.require(topk == null || (topk >= 1 && topk <= EpConfig.MAX_TOPK), "ep.topk", topk, "1.." + EpConfig.MAX_TOPK);
    InvalidArgumentException.require(llMaxTokensPerRank == null || llMaxTokensPerRank >= 0, "ep.ll-max-tokens-per-rank",
        llMaxTokensPerRank, ">= 0");
    InvalidArgumentException.require(alignment == null || alignment >= 1, "ep.alignment", alignment, ">= 1");
  }

  /** Expects exactly {@code world}, every key. */
  public static ExpectedWorld of(EpConfig world) {
    return new ExpectedWorld(world.worldSize(), world.experts(), world.hidden(), world.topk(), world.llMaxTokensPerRank(),
        world.alignment(), world.dtype());
  }

  /**
   * The world keys {@code config} sets explicitly: in an application.conf or {@code -Dconfig.file},
   * as {@code -Dep.hidden=...}, through an {@code EP_*} environment variable, or in a config the
   * caller parsed. A key whose value comes from a {@code reference.conf} (the protocol's defaults) or
   * that is absent counts as not set, so a client that configures nothing adopts the cluster's world.
   * A set key of the wrong type fails with {@link InvalidArgumentException} naming it.
   */
  public static ExpectedWorld fromConfig(Config config) {
    return new ExpectedWorld(intKey(config, "ep.world-size"), intKey(config, "ep.experts"), intKey(config, "ep.hidden"),
        intKey(config, "ep.topk"), intKey(config, "ep.ll-max-tokens-per-rank"), intKey(config, "ep.alignment"),
        isSet(config, "ep.dtype") ? dtype(string(config, "ep.dtype")) : null);
  }

  /** True when no key is expected. */
  public boolean isAny() {
    return equals(ANY);
  }

  /** These expectations, with every key left open taken from {@code world}. */
  public ExpectedWorld orElse(EpConfig world) {
    return new ExpectedWorld(
        worldSize != null ? worldSize : world.worldSize(),
        experts != null ? experts : world.experts(),
        hidden != null ? hidden : world.hidden(),
        topk != null ? topk : world.topk(),
        llMaxTokensPerRank != null ? llMaxTokensPerRank : world.llMaxTokensPerRank(),
        alignment != null ? alignment : world.alignment(),
        dtype != null ? dtype : world.dtype());
  }

  /**
   * Every expected key the cluster's {@code world} does not match, one line each, e.g.
   * {@code client ep.hidden = 256 but the cluster runs ep.hidden = 128}; empty when it matches.
   */
  public List<String> differences(EpConfig world) {
    List<String> out = new ArrayList<>(0);
    for (Key k : KEYS) {
      Object want = k.expected().apply(this);
      Object have = k.actual().apply(world);
      if (want != null && !Objects.equals(want, have)) {
        out.add("client " + k.name() + " = " + want + " but the cluster runs " + k.name() + " = " + have);
      }
    }
    return out;
  }

  private static boolean isSet(Config config, String key) {
    if (!config.hasPath(key)) {
      return false;
    }
    ConfigOrigin origin = config.getValue(key).origin();
    String resource = origin.resource();
    return resource == null || !resource.endsWith("reference.conf");
  }

  private static Integer intKey(Config config, String key) {
    if (!isSet(config, key)) {
      return null;
    }
    try {
      return config.getInt(key);
    } catch (ConfigException.WrongType e) {
      throw new InvalidArgumentException(key, key + " = " + config.getValue(key).unwrapped() + " is not an integer");
    }
  }

  private static DType dtype(String value) {
    try {
      return DType.parse("ep.dtype", value);
    } catch (EpArgumentException e) {
      throw new InvalidArgumentException(e.argument(), e.getMessage());
    }
  }

  private static String string(Config config, String key) {
    try {
      return config.getString(key);
    } catch (ConfigException.WrongType e) {
      throw new InvalidArgumentException(key, key + " = " + config.getValue(key).unwrapped() + " is not a string");
    }
  }
}
