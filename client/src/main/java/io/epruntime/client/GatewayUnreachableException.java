package io.epruntime.client;

import java.util.List;

/**
 * No configured gateway answered as an ep node within the time allowed. The message names every
 * endpoint tried and what was found there, e.g. {@code 127.0.0.1:7626: an HTTP server answered
 * (a node's management port?), not a node's Pekko remoting}; {@link #endpoints()} lists them.
 * Retrying with the same settings only helps when the cause was a node still starting.
 */
public class GatewayUnreachableException extends EpClientException {
  private static final long serialVersionUID = 1L;

  private final List<String> endpoints;

  public GatewayUnreachableException(List<String> endpoints, String message, Throwable cause) {
    super(message, cause);
    this.endpoints = List.copyOf(endpoints);
  }

  /** The {@code host:port} entries that were tried, in order. */
  public List<String> endpoints() {
    return endpoints;
  }
}
