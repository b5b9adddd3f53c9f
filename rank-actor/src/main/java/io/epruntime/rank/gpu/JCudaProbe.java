package io.epruntime.rank.gpu;

import jcuda.driver.CUdevice;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/** The only class the probe loads that names JCuda; reached from {@link GpuProbe} inside a catch-all. */
final class JCudaProbe {
  private JCudaProbe() {}

  static GpuProbe.Result run() {
    JCudaDriver.setExceptionsEnabled(false);
    int rc = JCudaDriver.cuInit(0);
    if (rc != CUresult.CUDA_SUCCESS) {
      return GpuProbe.Result.no("cuInit failed: " + CUresult.stringFor(rc));
    }
    int[] count = new int[1];
    rc = JCudaDriver.cuDeviceGetCount(count);
    if (rc != CUresult.CUDA_SUCCESS || count[0] == 0) {
      return GpuProbe.Result.no(rc != CUresult.CUDA_SUCCESS ? "cuDeviceGetCount failed: " + CUresult.stringFor(rc)
          : "the CUDA driver sees no device");
    }
    CUdevice dev = new CUdevice();
    JCudaDriver.cuDeviceGet(dev, 0);
    byte[] name = new byte[256];
    JCudaDriver.cuDeviceGetName(name, name.length, dev);
    int[] driver = new int[1];
    JCudaDriver.cuDriverGetVersion(driver);
    String n = new String(name, java.nio.charset.StandardCharsets.US_ASCII).trim().replace("\0", "");
    return new GpuProbe.Result(true, count[0], n + ", CUDA driver API " + driver[0], null);
  }
}
