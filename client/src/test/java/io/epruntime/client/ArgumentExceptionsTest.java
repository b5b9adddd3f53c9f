package io.epruntime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.tensor.HiddenStates;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments anywhere in the client's API are {@link EpClientException}s that name the argument. */
class ArgumentExceptionsTest {

  private static InvalidArgumentException invalid(Executable call) {
    EpClientException e = assertThrows(EpClientException.class, call);
    return assertInstanceOf(InvalidArgumentException.class, e);
  }

  @Test
  void settingsNameTheRefusedField() {
    assertEquals("gateways", invalid(() -> ClientSettings.of(List.of())).argument());
    assertEquals("gateways", invalid(() -> ClientSettings.of(List.of("localhost"))).argument());
    assertEquals("connectTimeout", invalid(() -> ClientSettings.of(List.of("h:1")).withConnectTimeout(Duration.ZERO)).argument());
    assertEquals("maxRetries", invalid(() -> ClientSettings.of(List.of("h:1")).withMaxRetries(-1)).argument());
    assertEquals("ep.client", invalid(() -> ClientSettings.fromConfig(
        ConfigFactory.parseString("ep.client.max-in-flight = lots").withFallback(ConfigFactory.load()))).argument());
    assertEquals("ep.dtype", invalid(() -> ClientSettings.fromConfig(
        ConfigFactory.parseString("ep.dtype = fp64").withFallback(ConfigFactory.load()))).argument());
    assertEquals("ep.topk", invalid(() -> new ExpectedWorld(null, null, null, 99, null, null, null)).argument());
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void connectWithoutSettingsIsRefusedBeforeAnythingStarts() {
    assertEquals("settings", invalid(() -> EpClient.connect(null)).argument());
    assertEquals("config", invalid(() -> EpClient.connect(ClientSettings.of(List.of("h:1")), null)).argument());
  }

  @Test
  void inputFactoriesNameTheRefusedArgument() {
    InvalidArgumentException idx = invalid(() -> StepInputs.routing(2, 2, new long[] {0, 1, 2}, new float[] {1, 1, 1}));
    assertEquals("topk_idx", idx.argument());
    assertTrue(idx.getMessage().contains("needs 2 x 2 = 4 entries, got 3"), idx.getMessage());
    assertEquals("topk_weights", invalid(() -> StepInputs.routing(1, 2, new long[] {0, 1}, new float[] {1})).argument());
    InvalidArgumentException kernel = invalid(() -> StepInputs.kernel("fast"));
    assertEquals("expert-kernel", kernel.argument());
    assertTrue(kernel.getMessage().contains("identity, scale, swiglu"), kernel.getMessage());
    assertEquals("expert-kernel.intermediate", invalid(() -> StepInputs.kernel("swiglu", 1, 0)).argument());
    assertEquals("values", invalid(() -> StepInputs.hiddenStates(DType.BF16, 2, 4, new float[7])).argument());
    assertEquals("hidden", invalid(() -> StepInputs.hiddenStates(DType.FP8_E4M3, 1, 64, new float[64])).argument());
  }

  @Test
  void inputFactoriesRoundOnceToTheDtype() {
    float[] values = {1.0f, 1.00390625f, -2.5f, 3.0e-3f};
    HiddenStates bf16 = StepInputs.hiddenStates(DType.BF16, 2, 2, values);
    assertEquals(1.0f, bf16.value(0, 1), "1 + 2^-8 rounds to even in bf16");
    assertEquals(-2.5f, bf16.value(1, 0));
    HiddenStates fp32 = StepInputs.hiddenStates(DType.FP32, 2, 2, values);
    assertEquals(1.00390625f, fp32.value(0, 1));
  }
}
