package io.epruntime.weights;

import io.epruntime.protocol.EpArgumentException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The element types a safetensors header may name (the fixed-width ones of the format's
 * specification), by their header spelling. Expert weights are taken in {@link #EXPERT_TYPES} only;
 * the others are known so that a checkpoint carrying, say, int64 buffers or fp8 scales still reads.
 */
public enum TensorDType {
  BOOL(1), U8(1), I8(1), F8_E4M3(1), F8_E5M2(1), F8_E8M0(1),
  I16(2), U16(2), BF16(2), F16(2),
  I32(4), U32(4), F32(4),
  I64(8), U64(8), F64(8);

  /** The element types expert matrices may have. */
  public static final Set<TensorDType> EXPERT_TYPES = EnumSet.of(BF16, F16, F32);

  private final int bytes;

  TensorDType(int bytes) {
    this.bytes = bytes;
  }

  public int bytesPerElement() {
    return bytes;
  }

  /** The header's spelling, or {@code null} for a name the format does not define here. */
  static TensorDType ofHeaderName(String name) {
    for (TensorDType d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }

  static String expertTypeNames() {
    return EXPERT_TYPES.stream().map(Enum::name).collect(Collectors.joining(", "));
  }

  static String headerNames() {
    return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
  }

  /** The command-line spelling of an expert type: {@code bf16}, {@code fp16}, {@code fp32}. */
  public String cliName() {
    return switch (this) {
      case BF16 -> "bf16";
      case F16 -> "fp16";
      case F32 -> "fp32";
      default -> name().toLowerCase(Locale.ROOT);
    };
  }

  /** The name {@code config.json} gives this type in {@code torch_dtype}. */
  String torchName() {
    return switch (this) {
      case BF16 -> "bfloat16";
      case F16 -> "float16";
      case F32 -> "float32";
      default -> throw new IllegalStateException("no torch_dtype is written for " + this);
    };
  }

  /** Parses {@code bf16|fp16|fp32} (or the header spelling) for generated weights; {@code field} names the flag. */
  public static TensorDType parseExpertType(String field, String value) {
    for (TensorDType d : EXPERT_TYPES) {
      if (d.cliName().equalsIgnoreCase(value) || d.name().equalsIgnoreCase(value)) {
        return d;
      }
    }
    throw new EpArgumentException(
        field, field + " = " + value + " is not an expert weight type; allowed: bf16, fp16, fp32");
  }
}
