package io.epruntime.transport;

/**
 * Aeron stream ids of the node's endpoint. All streams share one UDP port per node; the stream id
 * says what a frame is.
 */
public final class Streams {
  private Streams() {}

  /** Coordinator → rank: {@link io.epruntime.protocol.wire.BootstrapRecord}. */
  public static final int BOOTSTRAP = 10;
  /** Rank ↔ rank: the cpu backend's {@link io.epruntime.protocol.wire.MeshFrame}s. */
  public static final int DATA = 20;
  /** Client → rank: {@link io.epruntime.protocol.wire.StepInputFrame}. */
  public static final int STEP_INPUT = 30;
  /** Rank → client: {@link io.epruntime.protocol.wire.StepOutputFrame}. */
  public static final int STEP_OUTPUT = 31;
  /** A step's control: client → the coordinator's node → ranks → back ({@link io.epruntime.protocol.wire.StepControlCodec}). */
  public static final int CONTROL = 35;
  /** Ping-pong round-trip measurement (bench). */
  public static final int PING = 40;
  public static final int PONG = 41;

  /** The Aeron UDP channel of a {@code host:port} endpoint. */
  public static String channel(String endpoint) {
    return "aeron:udp?endpoint=" + endpoint;
  }
}
