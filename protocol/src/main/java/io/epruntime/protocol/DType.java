package io.epruntime.protocol;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Element types of hidden states. {@code fp8-e4m3} rows carry one fp32 scale per
 * {@link #FP8_SCALE_BLOCK} channels (DeepEP's per-128-channel scaling).
 */
public enum DType {
  BF16("bf16", 2),
  FP32("fp32", 4),
  FP8_E4M3("fp8-e4m3", 1);

  /** Channels that share one fp32 scale in fp8 rows. */
  public static final int FP8_SCALE_BLOCK = 128;

  private final String configName;
  private final int bytes;

  DType(String configName, int bytes) {
    this.configName = configName;
    this.bytes = bytes;
  }

  /** The name used in configuration, on the command line and on the wire. */
  public String configName() {
    return configName;
  }

  public int bytesPerElement() {
    return bytes;
  }

  /**
   * The dtype of expert outputs that combine takes. DeepEP combines in bf16 when dispatch sent fp8,
   * since expert outputs are not re-quantised.
   */
  public DType combineDType() {
    return this == FP8_E4M3 ? BF16 : this;
  }

  /** Parses a configuration name; {@code field} names the key in the error. */
  public static DType parse(String field, String value) {
    for (DType d : values()) {
      if (d.configName.equalsIgnoreCase(value) || d.name().equalsIgnoreCase(value)) {
        return d;
      }
    }
    throw new EpArgumentException(field, field + " = " + value + " is not a dtype; allowed: " + allowedNames());
  }

  public static String allowedNames() {
    return Arrays.stream(values()).map(DType::configName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return configName;
  }
}
