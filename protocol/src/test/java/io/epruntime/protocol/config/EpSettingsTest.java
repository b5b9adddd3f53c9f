package io.epruntime.protocol.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EpSettingsTest {

  /** protocol's reference.conf alone, with {@code ${?VAR}} resolved from {@code env} instead of the process environment. */
  private static Config reference(Map<String, Object> env, String overrides) {
    // This module's own file only: the test classpath holds other libraries' reference.conf too.
    Config ref = ConfigFactory.parseURL(EpSettings.class.getResource("/reference.conf"));
    // The map stands in for the environment: ${?VAR} finds root keys first. (resolveWith cannot
    // resolve a key that refers to itself, as the ${?VAR} override lines do.)
    return ConfigFactory.parseString(overrides).withFallback(ref).withFallback(ConfigFactory.parseMap(env))
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
  }

  private static EpArgumentException refused(String overrides) {
    return assertThrows(EpArgumentException.class, () -> EpSettings.fromConfig(reference(Map.of(), overrides)));
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    EpSettings s = EpSettings.fromConfig(reference(Map.of(), ""));
    assertEquals(new EpConfig(4, 32, 1024, 4, 128, 1, DType.BF16), s.world());
    assertEquals("scale", s.expertKernel().name());
    assertEquals(1L, s.expertKernel().seed());
    assertEquals(256, s.expertKernel().intermediate());
  }

  @Test
  void environmentVariablesOverrideEveryKey() {
    Map<String, Object> env = new HashMap<>();
    env.put("EP_WORLD_SIZE", "8");
    env.put("EP_EXPERTS", "256");
    env.put("EP_HIDDEN", "7168");
    env.put("EP_TOPK", "8");
    env.put("EP_LL_MAX_TOKENS_PER_RANK", "64");
    env.put("EP_ALIGNMENT", "128");
    env.put("EP_DTYPE", "fp8-e4m3");
    env.put("EP_EXPERT_KERNEL", "swiglu");
    env.put("EP_EXPERT_KERNEL_SEED", "42");
    env.put("EP_EXPERT_KERNEL_INTERMEDIATE", "2048");
    EpSettings s = EpSettings.fromConfig(reference(env, ""));
    assertEquals(new EpConfig(8, 256, 7168, 8, 64, 128, DType.FP8_E4M3), s.world());
    assertEquals("swiglu", s.expertKernel().name());
    assertEquals(42L, s.expertKernel().seed());
    assertEquals(2048, s.expertKernel().intermediate());
  }

  @Test
  void everyKeyIsDocumentedInPlace() throws IOException {
    assertTrue(EpSettings.class.getResource("/reference.conf").toString().contains("protocol"), "protocol's own file");
    String text;
    try (InputStream in = EpSettings.class.getResourceAsStream("/reference.conf")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> lines = text.lines().map(String::strip).toList();
    String previous = "";
    for (String line : lines) {
      if (line.contains("=") && !line.startsWith("#")) {
        String key = line.substring(0, line.indexOf('=')).strip();
        boolean commented = previous.startsWith("#");
        boolean override = previous.startsWith(key + " =") && line.contains("${?");
        assertTrue(commented || override, "key '" + key + "' needs a comment right above it");
      }
      previous = line;
    }
  }

  @Test
  void expertsNotDivisibleByWorldSize() {
    EpArgumentException e = refused("ep.experts = 10");
    assertEquals("ep.experts", e.argument());
    assertTrue(e.getMessage().contains("ep.experts = 10 is not divisible by ep.world-size = 4"), e.getMessage());
  }

  @Test
  void worldSizeThatIsNotANumber() {
    EpArgumentException e = refused("ep.world-size = four");
    assertEquals("ep.world-size", e.argument());
    assertTrue(e.getMessage().contains("ep.world-size = four is not an integer; allowed: 1..1024"), e.getMessage());
  }

  @Test
  void worldSizeOutOfRange() {
    EpArgumentException e = refused("ep.world-size = 0");
    assertEquals("ep.world-size", e.argument());
    assertTrue(e.getMessage().contains("0") && e.getMessage().contains("1..1024"), e.getMessage());
  }

  @Test
  void unknownDtype() {
    EpArgumentException e = refused("ep.dtype = fp16");
    assertEquals("ep.dtype", e.argument());
    assertTrue(e.getMessage().contains("fp16") && e.getMessage().contains("bf16, fp32, fp8-e4m3"), e.getMessage());
  }

  @Test
  void topkAboveSixteen() {
    EpArgumentException e = refused("ep.topk = 17");
    assertEquals("ep.topk", e.argument());
    assertTrue(e.getMessage().contains("17") && e.getMessage().contains("1..16"), e.getMessage());
  }

  @Test
  void fp8WithHiddenNotAMultipleOf128() {
    EpArgumentException e = refused("ep { dtype = fp8-e4m3, hidden = 1000 }");
    assertEquals("ep.hidden", e.argument());
    assertTrue(e.getMessage().contains("1000") && e.getMessage().contains("multiple of 128"), e.getMessage());
  }

  @Test
  void negativeLlCapacity() {
    EpArgumentException e = refused("ep.ll-max-tokens-per-rank = -1");
    assertEquals("ep.ll-max-tokens-per-rank", e.argument());
  }

  @Test
  void zeroAlignment() {
    EpArgumentException e = refused("ep.alignment = 0");
    assertEquals("ep.alignment", e.argument());
  }

  @Test
  void unknownExpertKernel() {
    EpArgumentException e = refused("ep.expert-kernel.name = relu");
    assertEquals("ep.expert-kernel.name", e.argument());
    assertTrue(e.getMessage().contains("relu") && e.getMessage().contains("identity, scale, swiglu"), e.getMessage());
  }

  @Test
  void swigluWithoutIntermediate() {
    EpArgumentException e = refused("ep.expert-kernel { name = swiglu, intermediate = 0 }");
    assertEquals("ep.expert-kernel.intermediate", e.argument());
  }

  @Test
  void seedThatIsNotAnInteger() {
    EpArgumentException e = refused("ep.expert-kernel.seed = lucky");
    assertEquals("ep.expert-kernel.seed", e.argument());
    assertTrue(e.getMessage().contains("lucky"), e.getMessage());
  }

  @Test
  void missingKey() {
    Config noHidden = reference(Map.of(), "").withoutPath("ep.hidden");
    EpArgumentException e = assertThrows(EpArgumentException.class, () -> EpSettings.fromConfig(noHidden));
    assertEquals("ep.hidden", e.argument());
    assertTrue(e.getMessage().contains("not set"), e.getMessage());
  }
}
