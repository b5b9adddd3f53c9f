package io.epruntime.protocol.wire;

import io.epruntime.protocol.EpArgumentException;

/**
 * A frame that cannot be decoded: wrong magic, unknown type or version, a length that runs past the
 * end, a count outside its limits. The message names the field; the frame is dropped, nothing else
 * changes.
 */
public final class WireFormatException extends EpArgumentException {
  private static final long serialVersionUID = 1L;

  public WireFormatException(String field, String message) {
    super(field, message);
  }
}
