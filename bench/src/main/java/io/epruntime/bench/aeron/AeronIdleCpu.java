package io.epruntime.bench.aeron;

import com.typesafe.config.ConfigFactory;
import io.epruntime.transport.AeronNode;
import io.epruntime.transport.IdleCpu;
import io.epruntime.transport.Streams;
import io.epruntime.transport.TransportSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU an idle process spends on the transport: starts {@code --nodes} AeronNodes (each its own
 * media driver), listening on every stream and connected to each other (one frame each way so
 * publications and images exist), then measures the process's CPU time from /proc/self/stat over
 * {@code --seconds} of idleness.
 *
 * <p>Run: {@code java -cp <classpath> io.epruntime.bench.aeron.AeronIdleCpu [--nodes 1] [--seconds 30] [--settle-seconds 15] [--deep-idle-after-ms 250] [--deep-idle-park-us 10000]
 * [--out bench/results/aeron-idle-cpu.json]}
 */
public final class AeronIdleCpu {
  private AeronIdleCpu() {}

  public static void main(String[] args) throws Exception {
    int nodes = Integer.parseInt(AeronPingPong.arg(args, "--nodes", "1"));
    int seconds = Integer.parseInt(AeronPingPong.arg(args, "--seconds", "30"));
    int settle = Integer.parseInt(AeronPingPong.arg(args, "--settle-seconds", "15"));
    Path out = Path.of(AeronPingPong.arg(args, "--out", "bench/results/aeron-idle-cpu.json"));
    // -Dep.transport.<key>=<value> overrides any transport setting (Typesafe Config system properties).
    TransportSettings base = TransportSettings.fromConfig(ConfigFactory.load());
    Duration deepAfter = Duration.ofMillis(Long.parseLong(AeronPingPong.arg(args, "--deep-idle-after-ms", String.valueOf(base.deepIdleAfter().toMillis()))));
    TransportSettings settings = base.withIdle(base.idleMaxPark(), deepAfter,
        Duration.ofNanos(Long.parseLong(AeronPingPong.arg(args, "--deep-idle-park-us", "10000")) * 1000));
    List<AeronNode> started = new ArrayList<>();
    List<AutoCloseable> listeners = new ArrayList<>();
    IdleCpu.Sample sample;
    try {
      for (int i = 0; i < nodes; i++) {
        AeronNode n = AeronNode.start(settings);
        started.add(n);
        for (int stream : new int[] {Streams.BOOTSTRAP, Streams.DATA, Streams.STEP_INPUT, Streams.STEP_OUTPUT}) {
          listeners.add(n.listen(stream, f -> { }));
        }
      }
      for (AeronNode from : started) {
        for (AeronNode to : started) {
          from.send(to.endpoint(), Streams.DATA, new byte[16]).toCompletableFuture().get();
        }
      }
      // Start-up work (JIT, class loading, the JVM's periodic tasks) goes on for several seconds;
      // what is measured is the node once it sits idle.
      IdleCpu.measure(Duration.ofSeconds(settle));
      sample = IdleCpu.measure(Duration.ofSeconds(seconds));
    } finally {
      for (AutoCloseable l : listeners) {
        l.close();
      }
      started.forEach(AeronNode::close);
    }
    BenchJson json = new BenchJson("aeron-idle-cpu", BenchJson.command(AeronIdleCpu.class, args))
        .put("nodes_in_process", nodes)
        .put("idle_max_park_us", settings.idleMaxPark().toNanos() / 1000)
        .put("deep_idle_after_ms", settings.deepIdleAfter().toMillis())
        .put("deep_idle_park_us", settings.deepIdlePark().toNanos() / 1000)
        .put("settle_s", settle)
        .put("interval_s", sample.wallNanos() / 1e9)
        .put("cpu_s", sample.cpuNanos() / 1e9)
        .put("percent_of_one_core", Math.round(sample.coreFraction() * 10000) / 100.0)
        .put("cpu_source", sample.source());
    json.write(out);
    System.out.print(json.render());
  }
}
