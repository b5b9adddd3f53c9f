package io.epruntime.transport;

/** Every {@link AeronNodeTest} with both nodes on {@code ep.transport.idle-wait = socket}. */
class AeronNodeSocketWaitTest extends AeronNodeTest {
  @Override
  TransportSettings settings() {
    return TransportSettings.defaults().withIdleWait(TransportSettings.IDLE_WAIT_SOCKET);
  }
}
