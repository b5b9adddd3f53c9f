package io.epruntime.transport.internal;

import io.aeron.driver.ReceiveChannelEndpointSupplier;
import io.aeron.driver.SendChannelEndpointSupplier;
import io.aeron.driver.media.ReceiveChannelEndpoint;
import io.aeron.driver.media.SendChannelEndpoint;
import io.aeron.driver.media.UdpTransportPoller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded media driver's UDP sockets, watched by one selector of ours, so that the node's
 * transport thread can sleep in {@code epoll} until a datagram lands (data from a peer, or a status
 * message, NAK or setup reply for one of our publications) or another thread has work for it
 * ({@link #wakeup()}), instead of sleeping a timed park and looking.
 *
 * <p>Why: on the virtual machines this runs on, a timed park of 1 us really lasts 57-91 us (the
 * kernel's timer slack and the hypervisor's timer), and a frame that lands during one waits for
 * its end; a datagram wakes a thread blocked in {@code select} in 18-21 us
 * ({@code bench/results/wake-latency-*.json}). Nothing spins either way.
 *
 * <p>The driver keeps reading its sockets itself, through its own pollers; our selector only
 * learns that there is something to read. The channels join it through Aeron's public endpoint
 * suppliers ({@code MediaDriver.Context.receiveChannelEndpointSupplier} and
 * {@code sendChannelEndpointSupplier}) at the moment the driver registers them for reading, on the
 * driver's duty cycle, which is the transport thread itself, so no other thread ever touches the
 * selector but through {@link #wakeup()}. A channel the driver closes leaves the selector by itself.
 */
public final class DriverSockets implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DriverSockets.class);

  private final Selector selector;

  private DriverSockets(Selector selector) {
    this.selector = selector;
  }

  public static DriverSockets open() {
    try {
      return new DriverSockets(Selector.open());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a selector for the media driver's sockets", e);
    }
  }

  /** Receive endpoints (a node's subscriptions) whose socket this selector watches too. */
  public ReceiveChannelEndpointSupplier receiveEndpoints() {
    return (channel, dispatcher, status, context) -> new ReceiveChannelEndpoint(channel, dispatcher, status, context) {
      @Override
      public void registerForRead(UdpTransportPoller poller) {
        super.registerForRead(poller);
        watch(receiveDatagramChannel());
      }
    };
  }

  /** Send endpoints (publications to peers; their socket carries the peers' status messages back). */
  public SendChannelEndpointSupplier sendEndpoints() {
    return (channel, status, context) -> new SendChannelEndpoint(channel, status, context) {
      @Override
      public void registerForRead(UdpTransportPoller poller) {
        super.registerForRead(poller);
        watch(receiveDatagramChannel());
      }
    };
  }

  /** Adds {@code channel} (non-blocking) to what {@link #await} waits for; on the waiting thread. */
  void watch(DatagramChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.register(selector, SelectionKey.OP_READ);
    } catch (ClosedChannelException e) {
      LOG.debug("a driver socket closed before it could be watched");
    }
  }

  /** Sockets watched now (closed ones leave at the next select); for tests. */
  int watched() {
    return selector.keys().size();
  }

  /**
   * Blocks until a watched socket is readable, {@link #wakeup()} is called (or was called since the
   * last wait), or {@code timeoutMs} pass; returns how many sockets became readable.
   */
  public int await(long timeoutMs) {
    try {
      int ready = selector.select(Math.max(1, timeoutMs));
      selector.selectedKeys().clear(); // the driver reads the sockets; we only needed the wake-up
      return ready;
    } catch (IOException e) {
      throw new UncheckedIOException("waiting on the media driver's sockets failed", e);
    }
  }

  /** Ends the current or next {@link #await} at once; any thread. */
  public void wakeup() {
    selector.wakeup();
  }

  @Override
  public void close() {
    try {
      selector.close();
    } catch (IOException e) {
      LOG.debug("closing the driver sockets' selector failed", e);
    }
  }
}
