package io.epruntime.rank.backend.nccl;

import io.epruntime.engine.SeededWeights;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.rank.gpu.GpuDevice;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;

/**
 * Builds this rank's swiglu weights from {@link SeededWeights} (the same pure function every node
 * and backend uses) and uploads them once per (seed, intermediate): fp32 W1, W3 {@code [L, I, H]}
 * and W2 {@code [L, H, I]}, as native-ep's cuBLAS path reads them.
 */
final class SwigluWeights {
  private SwigluWeights() {}

  static void ensure(GpuDevice gpu, NcclWorld w, ExpertKernelSpec spec) {
    String key = spec.seed() + "/" + spec.intermediate();
    if (key.equals(w.swigluKey)) {
      return;
    }
    int h = w.config.hidden();
    int i = spec.intermediate();
    int local = w.config.experts() / w.config.worldSize();
    int first = w.config.rank() * local;
    long per = (long) i * h;
    float[] all = new float[Math.toIntExact(3 * local * per)];
    for (int l = 0; l < local; l++) {
      int e = first + l;
      for (long k = 0; k < per; k++) {
        all[(int) (l * per + k)] = SeededWeights.value(spec.seed(), e, SeededWeights.W1, k, h);
        all[(int) ((local + l) * per + k)] = SeededWeights.value(spec.seed(), e, SeededWeights.W3, k, h);
        all[(int) ((2L * local + l) * per + k)] = SeededWeights.value(spec.seed(), e, SeededWeights.W2, k, i);
      }
    }
    if (w.swigluWeights != null) {
      gpu.free(w.swigluWeights);
    }
    GpuDevice.DeviceMemory m = gpu.alloc(4L * all.length);
    JCudaDriver.cuMemcpyHtoD(m.pointer(), Pointer.to(all), 4L * all.length);
    w.swigluWeights = m;
    w.swigluKey = key;
    long a = m.address();
    w.group.setSwiglu(i, a, a + 4 * local * per, a + 8 * local * per);
  }
}
