package io.epruntime.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
  @TempDir Path tmp;

  /** A file written by the safetensors reference implementation (0.8.0, {@code serialize}). */
  @Test
  void readsTheReferenceImplementationsFile() throws IOException {
    Path file = tmp.resolve("reference.safetensors");
    try (InputStream in = getClass().getResourceAsStream("/reference-safetensors-0.8.0.safetensors")) {
      Files.copy(in, file);
    }
    SafetensorsFile st = SafetensorsFile.open(file);
    assertEquals(Map.of("format", "pt", "note", "written by the reference implementation"), st.header().metadata());
    assertEquals(4, st.header().tensors().size());
    assertEquals(TensorDType.I64, st.entry("ids").dtype());

    String w1 = "model.layers.0.block_sparse_moe.experts.0.w1.weight";
    List<TensorView> views = st.map(List.of(st.entry(w1), st.entry("half"), st.entry("single")));
    assertEquals(List.of(2L, 3L), views.get(0).shape());
    assertArrayEquals(new float[] {1f, -2f, 0.5f, 3.140625f, -0.0078125f, 256f}, views.get(0).toFloatArray());
    assertArrayEquals(new float[] {1f, -2.5f, 65504f, 0x1p-24f}, views.get(1).toFloatArray());
    assertArrayEquals(new float[] {0.1f, -1e-30f, 3e38f, 7f}, views.get(2).toFloatArray());
    assertTrue(views.get(0).data().isReadOnly());
  }

  @Test
  void refusesAFileShorterThanTheLengthPrefix() throws IOException {
    Path file = tmp.resolve("short.safetensors");
    Files.write(file, new byte[] {1, 2, 3});
    assertMessage(file, "3 bytes, fewer than the 8-byte header length", null);
  }

  @Test
  void refusesAHeaderLengthBeyondTheFile() throws IOException {
    Path file = tmp.resolve("long.safetensors");
    Files.write(file, new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
    assertMessage(file, "header length = 255 is not allowed: it must be 1..2", null);
  }

  @Test
  void refusesAHeaderThatIsNotJson() {
    Path file = tmp.resolve("garbage.safetensors");
    RawSafetensors.write(file, "{\"a\": [", new byte[0]);
    assertMessage(file, "not valid JSON", null);
  }

  @Test
  void refusesDuplicateTensorNames() {
    Path file = tmp.resolve("dup.safetensors");
    String e = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
    RawSafetensors.write(file, "{\"a\":" + e + ",\"a\":" + e + "}", new byte[4]);
    assertMessage(file, "Duplicate field 'a'", null);
  }

  @Test
  void refusesAnUnknownDtypeNamingTheAllowedOnes() {
    Path file = tmp.resolve("dtype.safetensors");
    RawSafetensors.write(file, "{\"w\":{\"dtype\":\"F12\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
    assertMessage(file, "dtype = \"F12\" is not a safetensors dtype; allowed: BOOL, U8", "w");
  }

  @Test
  void refusesOffsetsThatDisagreeWithDtypeTimesShape() {
    Path file = tmp.resolve("size.safetensors");
    RawSafetensors.write(file, "{\"w\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,8]}}", new byte[8]);
    assertMessage(file, "data_offsets = [0, 8] span 8 bytes but BF16 [2, 3] needs 12", "w");
  }

  @Test
  void refusesOverlappingTensors() {
    Path file = tmp.resolve("overlap.safetensors");
    RawSafetensors.write(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
    assertMessage(file, "data_offsets [4, 12] overlap those of a [0, 8]", "b");
  }

  @Test
  void refusesOffsetsPastTheEndOfTheData() {
    Path file = tmp.resolve("truncated.safetensors");
    RawSafetensors.write(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[10]);
    assertMessage(file, "reach past the end of the file, whose data section has 10 bytes (a truncated shard?)", "w");
  }

  @Test
  void refusesMalformedEntries() {
    Path file = tmp.resolve("entries.safetensors");
    RawSafetensors.write(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]);
    assertMessage(file, "shape = [-1] is not allowed; allowed: an array of non-negative integers", "w");
    RawSafetensors.write(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", new byte[4]);
    assertMessage(file, "data_offsets = [4] is not allowed; allowed: 2 non-negative integers", "w");
    RawSafetensors.write(file, "{\"w\":[1,2]}", new byte[0]);
    assertMessage(file, "not an object with dtype, shape and data_offsets", "w");
    RawSafetensors.write(file, "{\"__metadata__\":{\"n\":1}}", new byte[0]);
    assertMessage(file, "__metadata__.n = 1 is not a string", null);
  }

  @Test
  void takesEmptyTensorsAndGaps() {
    Path file = tmp.resolve("sparse.safetensors");
    RawSafetensors.write(file, "{\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[4,4]},"
        + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80, 0x3f});
    SafetensorsFile st = SafetensorsFile.open(file);
    List<TensorView> views = st.map(List.of(st.entry("e"), st.entry("w")));
    assertEquals(0, views.get(0).elementCount());
    assertArrayEquals(new float[] {1f}, views.get(1).toFloatArray());
  }

  private static void assertMessage(Path file, String fragment, String tensor) {
    CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file));
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertEquals(file, e.file());
    assertEquals(tensor, e.tensor());
  }
}
