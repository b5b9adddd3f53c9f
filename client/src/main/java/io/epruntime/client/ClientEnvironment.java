package io.epruntime.client;

import org.agrona.nio.TransportPoller;

/** Checks, before anything starts, that this JVM can run the client, and names the fix when it cannot. */
final class ClientEnvironment {
  /** The java option the client's embedded Aeron media driver needs. */
  static final String ADD_OPENS = "--add-opens java.base/sun.nio.ch=ALL-UNNAMED";

  private ClientEnvironment() {}

  /**
   * Agrona's {@link TransportPoller}, which the media driver polls its sockets with, makes the NIO
   * selector's key set accessible when its class loads; without the package open that fails deep
   * inside Aeron as an {@code ExceptionInInitializerError}. Naming the class does not load it.
   */
  static void check() {
    if (!Object.class.getModule().isOpen("sun.nio.ch", TransportPoller.class.getModule())) {
      throw new EpClientException("the client's embedded Aeron media driver needs the JVM option " + ADD_OPENS
          + " (Agrona reads the NIO selector's keys); add it to the java command line, or for an executable jar put "
          + "'Add-Opens: java.base/sun.nio.ch' in its manifest (docs/client.md)");
    }
  }
}
