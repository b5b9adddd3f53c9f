package io.epruntime.nativeep;

import io.epruntime.protocol.EpArgumentException;

/** The expert functions native-ep computes on the GPU (codes match {@code ep_expert_kind}). */
public enum ExpertKind {
  IDENTITY,
  SCALE,
  SWIGLU;

  /** Maps an {@code ExpertKernelSpec} name ({@code identity}, {@code scale}, {@code swiglu}). */
  public static ExpertKind of(String name) {
    for (ExpertKind k : values()) {
      if (k.name().equalsIgnoreCase(name)) {
        return k;
      }
    }
    throw new EpArgumentException("expert-kernel", "expert-kernel = " + name + " is not one of identity, scale, swiglu");
  }
}
