package dev.vectorgrad.io;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.vectorgrad.DType;
import dev.vectorgrad.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * .npy/.npz/safetensors: every fixture numpy wrote (gen_io.py) read bit-exactly, round trips
 * (and, written to target/io-roundtrip, the files `gen_io.py check` reads with np.load), mapped
 * zero-copy tensors, and a fuzz test of truncated, corrupted and hostile files.
 */
class IoTest {
  static final Path GOLDEN = Path.of("src/test/resources/golden/io");

  static JsonArray manifest() throws IOException {
    return JsonParser.parseString(Files.readString(GOLDEN.resolve("manifest.json"))).getAsJsonArray();
  }

  static String hex(Tensor t) {
    return HexFormat.of().formatHex(t.contiguous().segment().toArray(ValueLayout.JAVA_BYTE));
  }

  static void assertMatches(String where, JsonObject e, Tensor t) {
    assertEquals(e.get("dtype").getAsString(), switch (t.dtype()) {
      case FLOAT32 -> "float32";
      case FLOAT64 -> "float64";
      case INT64 -> "int64";
      case BOOL -> "bool";
    }, where);
    long[] shape = new long[e.getAsJsonArray("shape").size()];
    for (int i = 0; i < shape.length; i++) shape[i] = e.getAsJsonArray("shape").get(i).getAsLong();
    assertArrayEquals(shape, t.shape(), where);
    if (e.has("fortran") && e.get("fortran").getAsBoolean()) {
      assertArrayEquals(IoSupport.fortranStrides(shape), t.stride(), where + ": a Fortran array reads as a column-major view");
    }
    assertEquals(e.get("hex").getAsString(), hex(t), where);
  }

  @Test
  void readsEveryFixtureBitExactly() throws IOException {
    int arrays = 0;
    for (JsonElement el : manifest()) {
      JsonObject f = el.getAsJsonObject();
      Path p = GOLDEN.resolve(f.get("file").getAsString());
      JsonObject expected = f.getAsJsonObject("arrays");
      switch (f.get("kind").getAsString()) {
        case "npy" -> {
          JsonObject e = expected.getAsJsonObject("");
          Tensor t = Npy.read(p);
          assertMatches(p.toString(), e, t);
          try (MappedTensor m = Npy.map(p)) {
            assertMatches(p + " (mapped)", e, m.tensor());
            boolean nativeLayout = p.getFileName().toString().matches("((f4|f8|i8|b1)_le|v[23]_f8).*");
            assertEquals(nativeLayout, m.isZeroCopy(), p.toString());
          }
          arrays++;
        }
        case "npz" -> {
          Map<String, Tensor> got = Npz.read(p);
          assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(got.keySet()), p + ": file order");
          for (String k : expected.keySet()) assertMatches(p + ":" + k, expected.getAsJsonObject(k), got.get(k));
          arrays += got.size();
        }
        default -> {
          Map<String, Tensor> got = Safetensors.read(p);
          assertEquals(expected.keySet(), got.keySet());
          for (String k : expected.keySet()) assertMatches(p + ":" + k, expected.getAsJsonObject(k), got.get(k));
          try (SafetensorsFile sf = Safetensors.open(p)) {
            assertEquals(Map.of("format", "pt", "note", "fixture \u00e9"), sf.metadata());
            for (String k : sf.names()) assertMatches(p + ":" + k + " (mapped)", expected.getAsJsonObject(k), sf.get(k));
          }
          arrays += got.size();
        }
      }
    }
    assertTrue(arrays > 90, "arrays checked: " + arrays);
  }

  static Map<String, Tensor> sample() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("mask", Tensor.of(new boolean[] {true, false, true, true, false, false}, 2, 3));
    m.put("w", Tensor.of(new float[] {1.5f, -0f, Float.NaN, Float.POSITIVE_INFINITY, 3e-40f, 7f}, 3, 2));
    m.put("wT", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).t());   // a non-contiguous view
    m.put("d", Tensor.of(new double[] {Math.PI, -1e300, Double.MIN_VALUE}, 3));
    m.put("i", Tensor.of(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, 2, 2));
    m.put("scalar", Tensor.of(new double[] {2.5}));
    m.put("empty", Tensor.zeros(DType.FLOAT32, 0, 4));
    return m;
  }

  static void addManifest(JsonArray manifest, String file, String kind, Map<String, Tensor> tensors, Map<String, String> meta) {
    JsonObject f = new JsonObject();
    f.addProperty("file", file);
    f.addProperty("kind", kind);
    JsonObject arrays = new JsonObject();
    for (var kv : tensors.entrySet()) {
      Tensor t = kv.getValue();
      JsonObject e = new JsonObject();
      e.addProperty("dtype", switch (t.dtype()) {
        case FLOAT32 -> "float32";
        case FLOAT64 -> "float64";
        case INT64 -> "int64";
        case BOOL -> "bool";
      });
      JsonArray shape = new JsonArray();
      for (long d : t.shape()) shape.add(d);
      e.add("shape", shape);
      e.addProperty("hex", hex(t));
      arrays.add(kv.getKey(), e);
    }
    f.add("arrays", arrays);
    if (meta != null) {
      JsonObject m = new JsonObject();
      meta.forEach(m::addProperty);
      f.add("metadata", m);
    }
    manifest.add(f);
  }

  /** Writes with every writer, reads back bit-exactly, and leaves the files for `gen_io.py check target/io-roundtrip`. */
  @Test
  void roundTrips() throws IOException {
    Path dir = Path.of("target/io-roundtrip");
    Files.createDirectories(dir);
    Map<String, Tensor> sample = sample();
    JsonArray manifest = new JsonArray();
    for (var kv : sample.entrySet()) {
      Path p = dir.resolve(kv.getKey() + ".npy");
      Npy.write(p, kv.getValue());
      Tensor back = Npy.read(p);
      assertEquals(kv.getValue().dtype(), back.dtype());
      assertArrayEquals(kv.getValue().shape(), back.shape());
      assertEquals(hex(kv.getValue()), hex(back), p.toString());
      addManifest(manifest, p.getFileName().toString(), "npy", Map.of("", kv.getValue()), null);
    }
    Npz.write(dir.resolve("stored.npz"), sample);
    Npz.writeCompressed(dir.resolve("deflated.npz"), sample);
    for (String f : List.of("stored.npz", "deflated.npz")) {
      Map<String, Tensor> back = Npz.read(dir.resolve(f));
      assertEquals(new ArrayList<>(sample.keySet()), new ArrayList<>(back.keySet()));
      for (String k : sample.keySet()) assertEquals(hex(sample.get(k)), hex(back.get(k)), f + ":" + k);
      addManifest(manifest, f, "npz", sample, null);
    }
    Map<String, String> meta = Map.of("format", "pt", "quote\"", "line\nbreak \u00e9");
    Safetensors.write(dir.resolve("model.safetensors"), sample, meta);
    Map<String, Tensor> back = Safetensors.read(dir.resolve("model.safetensors"));
    assertEquals(sample.keySet(), back.keySet());
    for (String k : sample.keySet()) {
      assertEquals(hex(sample.get(k)), hex(back.get(k)), k);
      assertArrayEquals(sample.get(k).shape(), back.get(k).shape(), k);
    }
    try (SafetensorsFile sf = Safetensors.open(dir.resolve("model.safetensors"))) {
      assertEquals(meta, sf.metadata());
      for (String k : sf.names()) {
        Tensor t = sf.get(k);
        assertEquals(hex(sample.get(k)), hex(t), k);
      }
    }
    addManifest(manifest, "model.safetensors", "safetensors", sample, meta);
    Safetensors.write(dir.resolve("nometa.safetensors"), sample);
    addManifest(manifest, "nometa.safetensors", "safetensors", sample, null);
    Files.writeString(dir.resolve("manifest.json"), manifest.toString());
  }

  @Test
  void mappedTensorsAreZeroCopyAndDieWithTheirHolder() throws IOException {
    Path p = GOLDEN.resolve("big_f4.npy");
    Tensor copy = Npy.read(p);
    Tensor view;
    try (MappedTensor m = Npy.map(p)) {
      assertTrue(m.isZeroCopy());
      view = m.tensor();
      assertEquals(-167142.0, view.sum().item(), "numpy: np.load(p).astype(np.float64).sum()");
      assertEquals(copy.sum().item(), view.sum().item());
      assertThrows(RuntimeException.class, () -> view.copy_(copy), "the mapping is read-only");
      if (Tensor.class.getModule().isNativeAccessEnabled()) {   // the kernels' fast path (NativeSegments)
        assertEquals(MemorySegment.NULL.getClass(), view.segment().getClass(), "a plain native segment");
      }
    }
    assertThrows(IllegalStateException.class, () -> view.sum().item());
    assertEquals(-167142.0, copy.sum().item(), "the copy outlives the mapping");

    Tensor w;
    try (SafetensorsFile f = Safetensors.open(GOLDEN.resolve("model.safetensors"))) {
      w = f.get("f32");
      Tensor half = f.get("f16");   // converted: an owned copy
      assertEquals(Safetensors.read(GOLDEN.resolve("model.safetensors")).get("f32").sum().item(), w.sum().item());
      f.close();
      assertThrows(IllegalStateException.class, () -> w.sum().item());
      assertEquals(DType.FLOAT32, half.dtype());
      assertEquals(8, half.numel());
      half.sum().item();
      assertThrows(IllegalStateException.class, () -> f.get("f32"));
    }
  }

  // ------------------------------------------------------------------ fuzz

  static int calls;

  /** Every reader on the file: each must succeed or fail with IAE / an IOException naming the file. */
  static void readAll(Path p) {
    calls++;
    for (int r = 0; r < 4; r++) {
      try {
        switch (r) {
          case 0 -> Npy.read(p).close();
          case 1 -> {
            try (MappedTensor m = Npy.map(p)) {
              m.tensor().sum();
            }
          }
          case 2 -> Npz.read(p).values().forEach(Tensor::close);
          default -> {
            Safetensors.read(p).values().forEach(Tensor::close);
            try (SafetensorsFile f = Safetensors.open(p)) {
              for (String n : f.names()) f.get(n).sum();
            }
          }
        }
      } catch (IllegalArgumentException | IOException e) {
        assertTrue(e.getMessage() != null && e.getMessage().contains(p.toString()),
            "reader " + r + ": the message must name the file: " + e);
      } catch (Throwable t) {
        throw new AssertionError("reader " + r + " on " + p + " threw " + t, t);
      }
    }
  }

  static byte[] safetensors(String json, int dataBytes) {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    return b.array();
  }

  static byte[] npy(int major, String dict, int dataBytes) {
    byte[] d = dict.getBytes(StandardCharsets.ISO_8859_1);
    int pre = major == 1 ? 10 : 12;
    ByteBuffer b = ByteBuffer.allocate(pre + d.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put(NpyHeader.MAGIC).put((byte) major).put((byte) 0);
    if (major == 1) b.putShort((short) d.length); else b.putInt(d.length);
    b.put(d);
    return b.array();
  }

  @Test
  void fuzzedFilesFailCleanly(@TempDir Path tmp) {
    assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
      List<byte[]> seeds = new ArrayList<>();
      for (String f : List.of("f4_le_c.npy", "f8_be_f.npy", "b1_le_c.npy", "v2_f8.npy", "v3_f8.npy", "stored.npz",
          "deflated.npz", "model.safetensors")) {
        seeds.add(Files.readAllBytes(GOLDEN.resolve(f)));
      }
      Random rnd = new Random(9);
      Path p = tmp.resolve("fuzz.bin");
      for (byte[] seed : seeds) {
        for (int len = 0; len < seed.length; len += len < 200 ? 1 : 1 + seed.length / 50) {   // truncations
          Files.write(p, java.util.Arrays.copyOf(seed, len));
          readAll(p);
        }
        for (int k = 0; k < 150; k++) {   // corruptions, mostly in the headers
          byte[] b = seed.clone();
          int flips = 1 + rnd.nextInt(4);
          for (int i = 0; i < flips; i++) {
            int at = rnd.nextInt(4) > 0 ? rnd.nextInt(Math.min(b.length, 200)) : rnd.nextInt(b.length);
            b[at] = rnd.nextBoolean() ? (byte) rnd.nextInt(256) : (byte) (b[at] ^ (1 << rnd.nextInt(8)));
          }
          Files.write(p, b);
          readAll(p);
        }
      }
      // hostile headers
      List<byte[]> hostile = List.of(
          npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000, 1000000000000), }", 16),
          npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,), }", 16),
          npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000,), }", 16),
          npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 16),
          npy(1, "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", 16),
          npy(1, "{'descr': [('a', '<f4'), ('b', '<i8')], 'fortran_order': False, 'shape': (2,), }", 64),
          npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", 8),
          npy(1, "{'descr': '<f4', 'fortran_order': 'no', 'shape': (2,), }", 8),
          npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,),", 8),
          npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': " + "(".repeat(5000) + ")".repeat(5000) + ", }", 8),
          npy(1, "{'descr': '<U4', 'fortran_order': False, 'shape': (2,), }", 32),
          npy(2, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16),
          npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }", 16),
          safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000000000,1000000000000],\"data_offsets\":[0,16]}}", 16),
          safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[-16,0]}}", 16),
          safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
          safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 16),
          safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16),
          safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16000000000]}}", 16),
          safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,18446744073709551616]}}", 16),
          safetensors("{\"a\":{\"dtype\":\"X9\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16),
          safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16),
          safetensors("{\"a\":" + "[".repeat(100000) + "]".repeat(100000) + "}", 0),
          safetensors("{\"__metadata__\":{\"k\":3}}", 0),
          safetensors("[1,2]", 0),
          safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}} trailing", 16));
      for (byte[] h : hostile) {
        Files.write(p, h);
        readAll(p);
      }
      for (long len : new long[] {Long.MAX_VALUE, -1, 100_000_001, 64}) {   // header length beyond the file / the limit
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(len).put("{}      ".getBytes());
        Files.write(p, b.array());
        readAll(p);
        IOException e = assertThrows(IOException.class, () -> Safetensors.open(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
      }
    });
    assertTrue(calls > 2500, "fuzz cases: " + calls);
  }

  @Test
  void errorsNameTheProblem(@TempDir Path tmp) throws IOException {
    Path p = tmp.resolve("x.npy");
    Files.write(p, npy(1, "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", 16));
    assertTrue(assertThrows(FormatException.class, () -> Npy.read(p)).getMessage().contains("unsupported dtype '|O'"));
    Files.write(p, npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000,), }", 16));
    assertTrue(assertThrows(FormatException.class, () -> Npy.read(p)).getMessage().contains("truncated"));
    Path s = tmp.resolve("x.safetensors");
    Files.write(s, safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12));
    assertTrue(assertThrows(FormatException.class, () -> Safetensors.open(s)).getMessage().contains("invalid offset"));
    Files.write(s, safetensors("{\"a\":{\"dtype\":\"U64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 16));
    try (SafetensorsFile f = Safetensors.open(s)) {
      assertTrue(assertThrows(IllegalArgumentException.class, () -> f.get("a")).getMessage().contains("U64"));
    }
  }
}
