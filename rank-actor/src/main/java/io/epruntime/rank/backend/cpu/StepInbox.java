package io.epruntime.rank.backend.cpu;

import io.epruntime.protocol.wire.MeshFrame;
import java.nio.ByteBuffer;

/** The payloads of one step that have arrived so far, by phase and source rank. */
final class StepInbox {
  private final ByteBuffer[][] payloads;
  private final int[] arrived = new int[2];

  StepInbox(int worldSize) {
    payloads = new ByteBuffer[2][worldSize];
  }

  /** Files a frame; false when its slot was already taken (a duplicate). */
  boolean add(MeshFrame frame) {
    ByteBuffer[] phase = payloads[frame.phase()];
    if (frame.source() >= phase.length || phase[frame.source()] != null) {
      return false;
    }
    phase[frame.source()] = frame.payload();
    arrived[frame.phase()]++;
    return true;
  }

  boolean complete(byte phase) {
    return arrived[phase] == payloads[phase].length;
  }

  /** The phase's payloads, index = source rank, each from position 0. */
  ByteBuffer[] take(byte phase) {
    ByteBuffer[] out = payloads[phase];
    payloads[phase] = new ByteBuffer[out.length];
    return out;
  }
}
