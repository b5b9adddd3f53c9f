package io.epruntime.nativeep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import org.junit.jupiter.api.Test;

/** What runs without a GPU: loading, the loader's cause, host-side argument checks, NCCL errors. */
class NativeEpLibraryTest {

  private static EpGroupConfig config(int hidden, DType dtype) {
    return new EpGroupConfig(2, 0, 8, hidden, 2, 64, 16, 1, dtype, 0, EpGroupConfig.DataPath.NCCL);
  }

  @Test
  void availabilityIsExplained() {
    if (NativeEpLibrary.isAvailable()) {
      assertTrue(NativeEpLibrary.buildInfo().startsWith("native-ep"), NativeEpLibrary.buildInfo());
    } else {
      String cause = NativeEpLibrary.unavailabilityCause();
      assertNotNull(cause);
      assertTrue(cause.contains("libnative-ep.so"), cause);
      NativeEpException e = assertThrows(NativeEpException.class, NativeEpLibrary::buildInfo);
      assertTrue(e.getMessage().contains(cause), e.getMessage());
    }
  }

  @Test
  void workspaceSizeComesFromTheNativeSide() {
    assumeTrue(NativeEpLibrary.isAvailable(), () -> "native-ep not loaded: " + NativeEpLibrary.unavailabilityCause());
    long bf16 = config(256, DType.BF16).workspaceBytes();
    long fp32 = config(256, DType.FP32).workspaceBytes();
    assertTrue(bf16 > 64L * 256 * 2, "holds at least x: " + bf16);
    assertTrue(fp32 > bf16, "fp32 rows are wider: " + fp32 + " vs " + bf16);
  }

  @Test
  void badConfigNamesTheField() {
    assumeTrue(NativeEpLibrary.isAvailable(), () -> "native-ep not loaded: " + NativeEpLibrary.unavailabilityCause());
    EpArgumentException e = assertThrows(EpArgumentException.class, () -> config(100, DType.FP8_E4M3).workspaceBytes());
    assertEquals("hidden", e.argument());
    assertTrue(e.getMessage().contains("multiple of 128"), e.getMessage());
    EpArgumentException k = assertThrows(EpArgumentException.class,
        () -> new EpGroupConfig(2, 0, 8, 256, 17, 64, 16, 1, DType.BF16, 0, EpGroupConfig.DataPath.NCCL).workspaceBytes());
    assertEquals("topk", k.argument());
    EpArgumentException r = assertThrows(EpArgumentException.class,
        () -> new EpGroupConfig(2, 2, 8, 256, 2, 64, 16, 1, DType.BF16, 0, EpGroupConfig.DataPath.NCCL).workspaceBytes());
    assertEquals("rank", r.argument());
    assertTrue(r.getMessage().contains("0..1"), r.getMessage());
  }

  @Test
  void groupRefusesABadWorkspaceBeforeTouchingTheGpu() {
    assumeTrue(NativeEpLibrary.isAvailable(), () -> "native-ep not loaded: " + NativeEpLibrary.unavailabilityCause());
    EpGroupConfig c = config(256, DType.BF16);
    EpArgumentException e = assertThrows(EpArgumentException.class, () -> EpGroup.create(c, 0L, c.workspaceBytes(), 0L));
    assertEquals("workspace", e.argument());
    EpArgumentException small = assertThrows(EpArgumentException.class, () -> EpGroup.create(c, 4096L, 16L, 0L));
    assertEquals("workspace_bytes", small.argument());
  }

  @Test
  void missingNcclIsAClearError() {
    assumeTrue(NativeEpLibrary.isAvailable(), () -> "native-ep not loaded: " + NativeEpLibrary.unavailabilityCause());
    NativeEpException e = assertThrows(NativeEpException.class, () -> NativeEpLibrary.loadNccl("/nonexistent/libnccl.so.2"));
    assertEquals(NativeEpException.NCCL_MISSING, e.status());
    assertTrue(e.getMessage().contains("/nonexistent/libnccl.so.2"), e.getMessage());
    assertTrue(e.getMessage().contains("2.18.0"), e.getMessage());
  }

  @Test
  void versionCodesRead() {
    assertEquals("2.28.3", NativeEpLibrary.versionString(22803));
  }
}
