package io.epruntime.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One safetensors file, opened: its header read and checked against the file's size, its data
 * reachable as memory-mapped, read-only views. Only the header is read onto the heap.
 *
 * <pre>
 *   [u64 LE: N] [N bytes: UTF-8 JSON header] [data: tensors at data_offsets relative to 8 + N]
 * </pre>
 *
 * Each tensor gets its own mapping (one {@code FileChannel.map} holds at most 2 GiB, and real shards
 * are larger); a mapping outlives the channel, so no file handle stays open. A rank holds one
 * mapping per expert matrix: DeepSeek-V3 whole on one rank is 58 x 256 x 3 = 44,544 of them, under
 * Linux's default {@code vm.max_map_count} of 65,530.
 */
final class SafetensorsFile {
  private static final int LENGTH_PREFIX_BYTES = 8;

  private final Path path;
  private final SafetensorsHeader header;
  private final long dataStart;

  private SafetensorsFile(Path path, SafetensorsHeader header, long dataStart) {
    this.path = path;
    this.header = header;
    this.dataStart = dataStart;
  }

  /** Reads and checks the header of {@code path}; fails naming the file (and tensor) otherwise. */
  static SafetensorsFile open(Path path) {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < LENGTH_PREFIX_BYTES) {
        throw CheckpointException.file(path, "the file has " + size + " bytes, fewer than the 8-byte header length"
            + " a safetensors file starts with (a truncated shard?)");
      }
      long headerBytes = readFully(channel, 0, LENGTH_PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN).getLong();
      if (headerBytes <= 0 || headerBytes > SafetensorsHeader.MAX_HEADER_BYTES || headerBytes > size - LENGTH_PREFIX_BYTES) {
        throw CheckpointException.file(path, "header length = " + Long.toUnsignedString(headerBytes) + " is not allowed:"
            + " it must be 1.." + Math.min(SafetensorsHeader.MAX_HEADER_BYTES, size - LENGTH_PREFIX_BYTES)
            + " for this file of " + size + " bytes (a truncated shard, or not a safetensors file?)");
      }
      ByteBuffer json = readFully(channel, LENGTH_PREFIX_BYTES, (int) headerBytes);
      long dataStart = LENGTH_PREFIX_BYTES + headerBytes;
      SafetensorsHeader header = SafetensorsHeader.parse(path, json.array(), size - dataStart);
      return new SafetensorsFile(path, header, dataStart);
    } catch (NoSuchFileException e) {
      throw CheckpointException.file(path, "no such file");
    } catch (IOException e) {
      throw CheckpointException.file(path, "cannot read: " + e);
    }
  }

  Path path() {
    return path;
  }

  SafetensorsHeader header() {
    return header;
  }

  /** The entry for {@code tensor}, or {@code null} when this file has none. */
  TensorEntry entry(String tensor) {
    return header.tensors().get(tensor);
  }

  /**
   * Maps each entry's bytes read-only, through one open of the file; the views are little-endian,
   * as the format stores them.
   */
  List<TensorView> map(List<TensorEntry> entries) {
    List<TensorView> views = new ArrayList<>(entries.size());
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      for (TensorEntry entry : entries) {
        if (entry.byteSize() > Integer.MAX_VALUE) {
          throw CheckpointException.tensor(path, entry.name(), entry.byteSize() + " bytes is more than one mapping holds (2 GiB)");
        }
        if (size < dataStart + entry.end()) {
          throw CheckpointException.tensor(path, entry.name(), "the file shrank to " + size + " bytes after it was checked");
        }
        ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + entry.begin(), entry.byteSize());
        views.add(new TensorView(entry.name(), path, entry.dtype(), entry.shape(), data.order(ByteOrder.LITTLE_ENDIAN)));
      }
    } catch (IOException e) {
      throw CheckpointException.file(path, "cannot map its tensors: " + e);
    }
    return views;
  }

  private static ByteBuffer readFully(FileChannel channel, long position, int bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(bytes);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new IOException("end of file at byte " + (position + buffer.position()));
      }
    }
    return buffer.flip();
  }
}
