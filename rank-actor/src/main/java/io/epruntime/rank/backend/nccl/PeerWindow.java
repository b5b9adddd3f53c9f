package io.epruntime.rank.backend.nccl;

import io.epruntime.protocol.EpArgumentException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * What one rank tells every other about its GPU workspace for one generation: where it lives
 * (host, process, GPU bus id) and how to map it (a CUDA IPC handle, or the address itself for a
 * rank in the same process). The coordinator ships these bytes around without reading them.
 *
 * @param generation the generation the workspace belongs to
 * @param rank the rank that owns it
 * @param hostId identifies the host and its IPC namespace (host name and kernel boot id): ranks in
 *     different containers count as different hosts, since CUDA IPC does not cross them
 * @param pid the owning process
 * @param busId the GPU's PCI bus id
 * @param ipcHandle the 64-byte CUDA IPC handle of the workspace allocation, or none where the driver
 *     could not export one (then only ranks in the same process can map the workspace)
 * @param base the workspace's address in the owning process
 * @param bytes the workspace's size
 */
public record PeerWindow(long generation, int rank, String hostId, long pid, String busId, byte[] ipcHandle, long base,
    long bytes) {
  private static final int MAGIC = 0x31575045; // "EPW1"
  private static final int HANDLE_BYTES = 64;
  private static final int MAX_TEXT = 512;

  public PeerWindow {
    EpArgumentException.require(rank >= 0, "window.rank", rank, ">= 0");
    EpArgumentException.require(hostId != null && !hostId.isEmpty() && hostId.length() <= MAX_TEXT, "window.hostId", hostId,
        "1.." + MAX_TEXT + " characters");
    EpArgumentException.require(busId != null && busId.length() <= MAX_TEXT, "window.busId", busId, "0.." + MAX_TEXT + " characters");
    EpArgumentException.require(ipcHandle != null && (ipcHandle.length == HANDLE_BYTES || ipcHandle.length == 0),
        "window.ipcHandle", ipcHandle == null ? null : ipcHandle.length + " bytes", "0 or " + HANDLE_BYTES + " bytes");
    EpArgumentException.require(base != 0 && base % 256 == 0, "window.base", base, "a device address aligned to 256 bytes");
    EpArgumentException.require(bytes > 0, "window.bytes", bytes, "> 0");
    ipcHandle = ipcHandle.clone();
  }

  @Override
  public byte[] ipcHandle() {
    return ipcHandle.clone();
  }

  /** Whether every window in {@code windows} (none missing) is on this window's host. */
  boolean sameHostAs(List<PeerWindow> windows) {
    return windows.stream().allMatch(w -> w != null && w.hostId.equals(hostId));
  }

  boolean sameProcessAs(PeerWindow other) {
    return other.pid == pid && other.hostId.equals(hostId);
  }

  public byte[] encode() {
    byte[] host = hostId.getBytes(StandardCharsets.UTF_8);
    byte[] bus = busId.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(4 + 8 + 4 + 8 + 8 + 8 + 4 + ipcHandle.length + 4 + host.length + 4 + bus.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(MAGIC).putLong(generation).putInt(rank).putLong(pid).putLong(base).putLong(bytes);
    b.putInt(ipcHandle.length).put(ipcHandle);
    b.putInt(host.length).put(host).putInt(bus.length).put(bus);
    return b.array();
  }

  /** Decodes {@link #encode()}'s bytes; an {@link EpArgumentException} naming the field when malformed. */
  public static PeerWindow decode(byte[] bytes) {
    if (bytes == null || bytes.length < 4) {
      throw new EpArgumentException("window", "a peer window needs at least 4 bytes, got " + (bytes == null ? "none" : bytes.length));
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    try {
      int magic = b.getInt();
      if (magic != MAGIC) {
        throw new EpArgumentException("window", "not a peer window (magic 0x" + Integer.toHexString(magic) + ")");
      }
      long generation = b.getLong();
      int rank = b.getInt();
      long pid = b.getLong();
      long base = b.getLong();
      long size = b.getLong();
      int handleBytes = b.getInt();
      if (handleBytes != 0 && handleBytes != HANDLE_BYTES) {
        throw new EpArgumentException("window.ipcHandle", "window.ipcHandle of " + handleBytes + " bytes is not allowed: 0 or " + HANDLE_BYTES);
      }
      byte[] handle = new byte[handleBytes];
      b.get(handle);
      String host = text(b, "window.hostId");
      String bus = text(b, "window.busId");
      if (b.hasRemaining()) {
        throw new EpArgumentException("window", b.remaining() + " bytes after the last field");
      }
      return new PeerWindow(generation, rank, host, pid, bus, handle, base, size);
    } catch (BufferUnderflowException e) {
      throw new EpArgumentException("window", "a peer window of " + bytes.length + " bytes ends early");
    }
  }

  private static String text(ByteBuffer b, String field) {
    int n = b.getInt();
    if (n < 0 || n > MAX_TEXT || n > b.remaining()) {
      throw new EpArgumentException(field, field + " length " + n + " is not allowed: 0.." + Math.min(MAX_TEXT, b.remaining()));
    }
    byte[] s = new byte[n];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerWindow w && generation == w.generation && rank == w.rank && hostId.equals(w.hostId) && pid == w.pid
        && busId.equals(w.busId) && Arrays.equals(ipcHandle, w.ipcHandle) && base == w.base && bytes == w.bytes;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(generation) * 31 + rank * 17 + Long.hashCode(base);
  }

  @Override
  public String toString() {
    return "PeerWindow[generation=" + generation + ", rank=" + rank + ", host=" + hostId + ", pid=" + pid + ", bus=" + busId
        + ", base=0x" + Long.toHexString(base) + ", bytes=" + bytes + "]";
  }
}
