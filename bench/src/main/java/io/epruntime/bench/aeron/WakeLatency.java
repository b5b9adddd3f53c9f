package io.epruntime.bench.aeron;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What it costs a sleeping thread to notice something on this machine, the floor under every hop
 * of a step when nothing may spin: (1) a thread blocked on a queue handed an item (a futex wake:
 * how an actor or a backend thread is woken); (2) how long {@code parkNanos(1us)} and
 * {@code parkNanos(50us)} really sleep (what the {@code park} idle wait pays per back-off step);
 * (3) a thread blocked in {@code select} on a UDP socket woken by a loopback datagram (what the
 * {@code socket} idle wait pays). The sender pauses 200 us between events so that the receiver is
 * really asleep each time.
 *
 * <p>{@code java -cp <bench class path> io.epruntime.bench.aeron.WakeLatency [--events 20000]
 * [--out bench/results/wake-latency.json]}
 */
public final class WakeLatency {
  private static final long GAP_NS = TimeUnit.MICROSECONDS.toNanos(200);

  private WakeLatency() {}

  public static void main(String[] args) throws Exception {
    int events = Integer.parseInt(AeronPingPong.arg(args, "--events", "20000"));
    Path out = Path.of(AeronPingPong.arg(args, "--out", "bench/results/wake-latency.json"));
    BenchJson json = new BenchJson("wake-latency", BenchJson.command(WakeLatency.class, args))
        .put("events", events).put("gap_between_events_us", GAP_NS / 1000);
    put(json, "futex_handoff", queueHandoff(events));
    put(json, "park_1us_actual", timedPark(TimeUnit.MICROSECONDS.toNanos(1), events / 4));
    put(json, "park_50us_actual", timedPark(TimeUnit.MICROSECONDS.toNanos(50), events / 4));
    put(json, "udp_select_wake", datagramWake(events));
    json.write(out);
    System.out.print(json.render());
  }

  private static void put(BenchJson json, String name, long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    json.put(name + "_p50_us", us(s[s.length / 2])).put(name + "_p90_us", us(s[(int) (s.length * 0.9)]))
        .put(name + "_p99_us", us(s[(int) (s.length * 0.99)]));
  }

  private static double us(long nanos) {
    return Math.round(nanos / 100.0) / 10.0;
  }

  private static long[] queueHandoff(int n) throws Exception {
    long[] lat = new long[n];
    SynchronousQueue<Long> q = new SynchronousQueue<>();
    Thread taker = new Thread(() -> {
      try {
        for (int i = 0; i < n; i++) {
          long sent = q.take();
          lat[i] = System.nanoTime() - sent;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "wake-taker");
    taker.start();
    for (int i = 0; i < n; i++) {
      LockSupport.parkNanos(GAP_NS);
      q.put(System.nanoTime());
    }
    taker.join();
    return lat;
  }

  private static long[] timedPark(long parkNs, int n) {
    long[] lat = new long[n];
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      LockSupport.parkNanos(parkNs);
      lat[i] = System.nanoTime() - t;
    }
    return lat;
  }

  private static long[] datagramWake(int n) throws Exception {
    long[] lat = new long[n];
    try (DatagramChannel rx = DatagramChannel.open(); DatagramChannel tx = DatagramChannel.open(); Selector selector = Selector.open()) {
      rx.bind(new InetSocketAddress("127.0.0.1", 0)).configureBlocking(false).register(selector, SelectionKey.OP_READ);
      tx.connect(rx.getLocalAddress());
      Thread reader = new Thread(() -> {
        ByteBuffer in = ByteBuffer.allocateDirect(64);
        try {
          for (int i = 0; i < n; i++) {
            selector.select();
            selector.selectedKeys().clear();
            in.clear();
            rx.receive(in);
            lat[i] = System.nanoTime() - in.getLong(0);
          }
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, "wake-reader");
      reader.start();
      ByteBuffer msg = ByteBuffer.allocateDirect(64);
      for (int i = 0; i < n; i++) {
        LockSupport.parkNanos(GAP_NS);
        msg.clear();
        msg.putLong(0, System.nanoTime());
        tx.write(msg);
      }
      reader.join();
    }
    return lat;
  }
}
