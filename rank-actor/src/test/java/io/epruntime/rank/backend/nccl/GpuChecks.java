package io.epruntime.rank.backend.nccl;

import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.tensor.Tensor;
import io.epruntime.rank.gpu.GpuDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;

/** Helpers for the GPU suites: device reads, DeepEP's similarity measure, and the run report. */
final class GpuChecks {
  static final List<String> REPORT = new ArrayList<>();

  private GpuChecks() {}

  /** Copies {@code bytes} at device {@code address} (inside the world's workspace) to the host; GPU thread only. */
  static ByteBuffer read(GpuDevice.DeviceMemory ws, long address, long bytes) {
    byte[] b = new byte[Math.toIntExact(bytes)];
    if (bytes > 0) {
      JCudaDriver.cuMemcpyDtoH(Pointer.to(b), ws.at(address), bytes);
    }
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  static int[] ints(ByteBuffer b, int n) {
    int[] out = new int[n];
    b.asIntBuffer().get(out);
    return out;
  }

  /** DeepEP's calc_diff: 1 - 2 sum(x y) / sum(x^2 + y^2), in double; 0 for equal tensors. */
  static double diff(HiddenStates a, HiddenStates b) {
    double xy = 0;
    double sq = 0;
    for (int r = 0; r < a.tokens(); r++) {
      for (int c = 0; c < a.hidden(); c++) {
        double x = a.value(r, c);
        double y = b.value(r, c);
        xy += x * y;
        sq += x * x + y * y;
      }
    }
    return sq == 0 ? 0 : 1 - 2 * xy / sq;
  }

  /** First differing element, for messages. */
  static String firstMismatch(Tensor a, Tensor b) {
    for (int r = 0; r < a.rows(); r++) {
      for (int c = 0; c < a.cols(); c++) {
        if (Float.compare(a.get(r, c), b.get(r, c)) != 0) {
          return "[" + r + "," + c + "] gpu " + a.get(r, c) + " vs cpu " + b.get(r, c);
        }
      }
    }
    return "none";
  }

  /** Joins a world of one rank: phase one, then phase two with this rank's own window as the whole table. */
  static void joinAlone(NcclBackend b, io.epruntime.rank.backend.WorldSpec spec) throws Exception {
    byte[] window = b.joinWorld(spec).toCompletableFuture().get(2, java.util.concurrent.TimeUnit.MINUTES);
    b.connectPeers(spec.generation(), List.of(window)).toCompletableFuture().get(2, java.util.concurrent.TimeUnit.MINUTES);
  }

  static synchronized void report(String line) {
    System.out.println("[gpu-check] " + line);
    REPORT.add(line);
    String file = System.getProperty("ep.gpu.report");
    if (file != null) {
      try {
        Files.writeString(Path.of(file), String.join("\n", REPORT) + "\n");
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
