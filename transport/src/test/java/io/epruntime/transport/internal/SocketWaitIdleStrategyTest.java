package io.epruntime.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The socket wait on real loopback sockets: what wakes it, and the guard against a socket nobody drains. */
@Timeout(60)
class SocketWaitIdleStrategyTest {
  private DriverSockets sockets;
  private DatagramChannel rx;
  private DatagramChannel tx;

  @BeforeEach
  void open() throws Exception {
    sockets = DriverSockets.open();
    rx = DatagramChannel.open();
    rx.bind(new InetSocketAddress("127.0.0.1", 0)).configureBlocking(false);
    tx = DatagramChannel.open();
    tx.connect(rx.getLocalAddress());
  }

  @AfterEach
  void close() throws Exception {
    rx.close();
    tx.close();
    sockets.close();
  }

  /** A wait of 30 s on its own thread; the stage completes with await's result and how long it took. */
  private CompletableFuture<long[]> waitOnOtherThread() {
    CompletableFuture<long[]> done = new CompletableFuture<>();
    CompletableFuture<Void> watching = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      sockets.watch(rx); // channels join the selector on the waiting thread, as the driver's do
      watching.complete(null);
      long start = System.nanoTime();
      int ready = sockets.await(30_000);
      done.complete(new long[] {ready, System.nanoTime() - start});
    }, "socket-wait-test");
    t.setDaemon(true);
    t.start();
    watching.join();
    return done;
  }

  @Test
  void aDatagramEndsTheWaitLongBeforeItsTimeout() throws Exception {
    CompletableFuture<long[]> wait = waitOnOtherThread();
    TimeUnit.MILLISECONDS.sleep(100); // the waiter is blocked in select by now (if not, select returns at once: same result)
    tx.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    long[] r = wait.get(10, TimeUnit.SECONDS); // a missed wake-up would take the full 30 s and fail here
    assertEquals(1, r[0], "one socket readable");
    assertEquals(1, sockets.watched());
  }

  @Test
  void wakeupEndsTheWaitWithNothingReadable() throws Exception {
    CompletableFuture<long[]> wait = waitOnOtherThread();
    sockets.wakeup();
    long[] r = wait.get(10, TimeUnit.SECONDS);
    assertEquals(0, r[0]);
  }

  @Test
  void aWakeupBeforeTheWaitIsNotLost() {
    sockets.wakeup();
    long start = System.nanoTime();
    sockets.await(30_000);
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "the earlier wake-up ended the wait");
  }

  @Test
  void aSocketThatStaysReadableWithoutWorkTurnsWaitsIntoParksNotASpin() throws Exception {
    sockets.watch(rx);
    tx.write(ByteBuffer.wrap(new byte[] {7})); // never read: every select returns at once
    int max = 20;
    SocketWaitIdleStrategy idle = new SocketWaitIdleStrategy(sockets, TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(60),
        TimeUnit.SECONDS.toNanos(60), () -> false, max, TimeUnit.SECONDS.toNanos(60));
    for (int i = 0; i < SocketWaitIdleStrategy.YIELDS + max + 1; i++) {
      idle.idle(0);
    }
    assertEquals(0, idle.faultParks(), "up to the limit, empty wake-ups are allowed (peers' heartbeats)");
    for (int i = 0; i < 10; i++) {
      idle.idle(0);
    }
    assertTrue(idle.faultParks() >= 5, "past the limit every other wait is a timed park: " + idle.faultParks());
  }

  @Test
  void workResetsTheYieldPreludeButNotTheFaultCount() throws Exception {
    sockets.watch(rx);
    tx.write(ByteBuffer.wrap(new byte[] {7}));
    SocketWaitIdleStrategy idle = new SocketWaitIdleStrategy(sockets, TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(60),
        TimeUnit.SECONDS.toNanos(60), () -> false, 3, TimeUnit.SECONDS.toNanos(60));
    for (int round = 0; round < 4; round++) {
      for (int i = 0; i < SocketWaitIdleStrategy.YIELDS + 2; i++) {
        idle.idle(0);
      }
      idle.idle(1); // work found: back to the yield prelude
    }
    assertTrue(idle.faultParks() > 0, "a socket left readable across rounds of work is still caught");
  }
}
