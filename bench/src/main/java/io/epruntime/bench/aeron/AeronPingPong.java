package io.epruntime.bench.aeron;

import com.typesafe.config.ConfigFactory;
import io.epruntime.transport.AeronNode;
import io.epruntime.transport.Streams;
import io.epruntime.transport.TransportSettings;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Raw Aeron round trip through the project's transport: the pinger sends a frame to the ponger's
 * PING stream, the ponger's listener echoes it to the pinger's PONG stream, the pinger's listener
 * completes the waiting future. One message in flight; the pinger thread blocks on the future (no
 * spinning), so the figure includes the idle strategies' wake-up cost, exactly as a step sees it.
 *
 * <p>Run: {@code java -cp <classpath> io.epruntime.bench.aeron.AeronPingPong [--payload 64]
 * [--warmup 2000] [--iterations 20000] [--idle-max-park-us 1000] [--deep-idle-park-us 10000]
 * [--out bench/results/aeron-pingpong.json]}
 */
public final class AeronPingPong implements AutoCloseable {
  private final AeronNode pinger;
  private final AeronNode ponger;
  private final AutoCloseable echo;
  private final AutoCloseable replies;
  private final AtomicReference<CompletableFuture<Void>> waiting = new AtomicReference<>();

  /** Round-trip statistics in microseconds. */
  public record Result(int payloadBytes, int iterations, double meanUs, double p50Us, double p90Us, double p99Us, double maxUs) {}

  /** Wires an echo between two running nodes (they may be in other tests' or benchmarks' hands). */
  public AeronPingPong(AeronNode pinger, AeronNode ponger) {
    this.pinger = pinger;
    this.ponger = ponger;
    this.echo = ponger.listen(Streams.PING, frame -> {
      byte[] bytes = new byte[frame.remaining()];
      frame.get(bytes);
      ponger.send(pinger.endpoint(), Streams.PONG, bytes);
    });
    this.replies = pinger.listen(Streams.PONG, frame -> {
      CompletableFuture<Void> f = waiting.getAndSet(null);
      if (f != null) {
        f.complete(null);
      }
    });
  }

  /** One round trip of a {@code payloadBytes} frame, in nanoseconds. */
  public long roundTripNanos(byte[] payload) throws Exception {
    CompletableFuture<Void> reply = new CompletableFuture<>();
    waiting.set(reply);
    long start = System.nanoTime();
    pinger.send(ponger.endpoint(), Streams.PING, payload);
    reply.get(10, TimeUnit.SECONDS);
    return System.nanoTime() - start;
  }

  /** {@code warmup} untimed round trips, then {@code iterations} timed ones. */
  public Result measure(int payloadBytes, int warmup, int iterations) throws Exception {
    byte[] payload = new byte[payloadBytes];
    for (int i = 0; i < warmup; i++) {
      roundTripNanos(payload);
    }
    long[] rtt = new long[iterations];
    for (int i = 0; i < iterations; i++) {
      ByteBuffer.wrap(payload).putInt(0, i);
      rtt[i] = roundTripNanos(payload);
    }
    Arrays.sort(rtt);
    double mean = Arrays.stream(rtt).average().orElse(0) / 1e3;
    return new Result(payloadBytes, iterations, mean, pct(rtt, 0.50), pct(rtt, 0.90), pct(rtt, 0.99), rtt[rtt.length - 1] / 1e3);
  }

  private static double pct(long[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e3;
  }

  @Override
  public void close() throws Exception {
    echo.close();
    replies.close();
  }

  public static void main(String[] args) throws Exception {
    int payload = Integer.parseInt(arg(args, "--payload", "64"));
    int warmup = Integer.parseInt(arg(args, "--warmup", "2000"));
    int iterations = Integer.parseInt(arg(args, "--iterations", "20000"));
    Duration park = Duration.ofNanos(Long.parseLong(arg(args, "--idle-max-park-us", "1000")) * 1000);
    Duration deepPark = Duration.ofNanos(Long.parseLong(arg(args, "--deep-idle-park-us", "10000")) * 1000);
    Path out = Path.of(arg(args, "--out", "bench/results/aeron-pingpong.json"));
    // -Dep.transport.<key>=<value> overrides any transport setting (Typesafe Config system properties).
    TransportSettings base = TransportSettings.fromConfig(ConfigFactory.load());
    TransportSettings settings = base.withIdle(park, base.deepIdleAfter(), deepPark);
    Result r;
    Map<String, Long> loss = new TreeMap<>();
    try (AeronNode a = AeronNode.start(settings); AeronNode b = AeronNode.start(settings); AeronPingPong pp = new AeronPingPong(a, b)) {
      r = pp.measure(payload, warmup, iterations);
      lossCounters(a, loss);
      lossCounters(b, loss);
    }
    BenchJson json = new BenchJson("aeron-pingpong", BenchJson.command(AeronPingPong.class, args))
        .put("transport", "two AeronNodes (embedded media drivers, INVOKER mode run by each node's transport thread) in one JVM, UDP over 127.0.0.1")
        .put("idle_max_park_us", park.toNanos() / 1000)
        .put("mtu", settings.mtu()).put("receiver_window", settings.receiverWindow()).put("socket_buffer", settings.socketBuffer())
        .put("chunk_size", settings.chunkSize()).put("term_length", settings.termLength())
        .put("deep_idle_after_ms", settings.deepIdleAfter().toMillis())
        .put("deep_idle_park_us", deepPark.toNanos() / 1000)
        .put("payload_bytes", r.payloadBytes()).put("warmup", warmup).put("iterations", r.iterations())
        .put("rtt_mean_us", round(r.meanUs())).put("rtt_p50_us", round(r.p50Us())).put("rtt_p90_us", round(r.p90Us()))
        .put("rtt_p99_us", round(r.p99Us())).put("rtt_max_us", round(r.maxUs()));
    loss.forEach((label, value) -> json.put("driver_" + label.toLowerCase().replaceAll("[^a-z0-9]+", "_"), value));
    json.write(out);
    System.out.print(json.render());
  }

  /** Sums the media drivers' loss-recovery counters (NAKs, retransmits, gap fills): tail latency's usual cause. */
  private static void lossCounters(AeronNode node, Map<String, Long> into) {
    var counters = node.aeron().countersReader();
    counters.forEach((id, typeId, key, label) -> {
      String l = label.toLowerCase();
      if (typeId == 0 && (l.contains("nak") || l.contains("retransmit") || l.contains("loss gap"))) {
        into.merge(label, counters.getCounterValue(id), Long::sum);
      }
    });
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static String arg(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }
}
