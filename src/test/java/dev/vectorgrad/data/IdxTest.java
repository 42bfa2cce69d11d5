package dev.vectorgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.DType;
import dev.vectorgrad.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IDX reader on files written here byte by byte (big-endian, as the format and torchvision's
 * read_sn3_pascalvincent_tensor define it), plain and gzipped, and on corrupt ones.
 */
class IdxTest {
  @TempDir Path dir;

  /** An IDX file: magic 0x0000TTDD, dims, then the payload (already big-endian). */
  static byte[] idx(int type, int[] dims, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length); // big-endian by default
    b.putInt((type << 8) | dims.length);
    for (int d : dims) b.putInt(d);
    b.put(payload);
    return b.array();
  }

  static byte[] gzip(byte[] raw) throws IOException {
    var out = new ByteArrayOutputStream();
    try (var g = new GZIPOutputStream(out)) {
      g.write(raw);
    }
    return out.toByteArray();
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  private String error(Path file) {
    var e = assertThrows(IOException.class, () -> Idx.read(file));
    assertTrue(e.getMessage().startsWith(file.toString() + ": "), "names the file: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void unsignedBytesAsInt64AndFloat32PlainAndGzipped() throws IOException {
    byte[] pixels = {0, 1, 127, (byte) 128, (byte) 200, (byte) 255};
    byte[] file = idx(0x08, new int[] {2, 3}, pixels);
    for (Path p : new Path[] {write("img-idx2-ubyte", file), write("img-idx2-ubyte.gz", gzip(file)),
        write("gzip-without-suffix", gzip(file))}) {
      try (Tensor t = Idx.read(p)) {
        assertEquals(DType.INT64, t.dtype());
        assertArrayEquals(new long[] {2, 3}, t.shape());
        assertArrayEquals(new long[] {0, 1, 127, 128, 200, 255}, t.toLongArray());
      }
      try (Tensor t = Idx.read(p, DType.FLOAT32)) {
        assertEquals(DType.FLOAT32, t.dtype());
        assertArrayEquals(new float[] {0, 1, 127, 128, 200, 255}, t.toFloatArray());
      }
    }
  }

  @Test
  void everyElementType() throws IOException {
    // signed byte
    try (Tensor t = Idx.read(write("b", idx(0x09, new int[] {3}, new byte[] {-128, -1, 5})))) {
      assertArrayEquals(new long[] {-128, -1, 5}, t.toLongArray());
    }
    // int16, int32 big-endian
    ByteBuffer s = ByteBuffer.allocate(6).putShort((short) -2).putShort((short) 300).putShort(Short.MAX_VALUE);
    try (Tensor t = Idx.read(write("s", idx(0x0B, new int[] {3}, s.array())))) {
      assertArrayEquals(new long[] {-2, 300, 32767}, t.toLongArray());
    }
    ByteBuffer i = ByteBuffer.allocate(8).putInt(Integer.MIN_VALUE).putInt(70000);
    try (Tensor t = Idx.read(write("i", idx(0x0C, new int[] {1, 2}, i.array())), DType.FLOAT64)) {
      assertArrayEquals(new double[] {Integer.MIN_VALUE, 70000}, t.toDoubleArray());
    }
    // float32, float64 big-endian
    ByteBuffer f = ByteBuffer.allocate(8).putFloat(1.5f).putFloat(-0.1f);
    try (Tensor t = Idx.read(write("f", idx(0x0D, new int[] {2}, f.array())))) {
      assertEquals(DType.FLOAT32, t.dtype());
      assertArrayEquals(new float[] {1.5f, -0.1f}, t.toFloatArray());
    }
    ByteBuffer d = ByteBuffer.allocate(16).putDouble(Math.PI).putDouble(-1e300);
    try (Tensor t = Idx.read(write("d", idx(0x0E, new int[] {2, 1}, d.array())))) {
      assertEquals(DType.FLOAT64, t.dtype());
      assertArrayEquals(new long[] {2, 1}, t.shape());
      assertArrayEquals(new double[] {Math.PI, -1e300}, t.toDoubleArray());
    }
    Path floats = write("f2", idx(0x0D, new int[] {2}, f.array()));
    assertThrows(IllegalArgumentException.class, () -> Idx.read(floats, DType.INT64));
    assertThrows(IllegalArgumentException.class, () -> Idx.read(floats, DType.BOOL));
    // an empty dim is valid
    try (Tensor t = Idx.read(write("e", idx(0x08, new int[] {0, 28, 28}, new byte[0])))) {
      assertArrayEquals(new long[] {0, 28, 28}, t.shape());
    }
  }

  @Test
  void corruptFilesGiveErrorsNamingTheFile() throws IOException {
    byte[] good = idx(0x08, new int[] {4, 2, 2}, new byte[16]);
    String m;
    m = error(write("short-header", new byte[] {0, 0, 8}));
    assertTrue(m.contains("truncated") && m.contains("magic"), m);
    m = error(write("not-idx", "hello world".getBytes()));
    assertTrue(m.contains("not an IDX file") && m.contains("0x68656c6c"), m);
    m = error(write("bad-type", idx(0x07, new int[] {1}, new byte[1])));
    assertTrue(m.contains("unknown element type 0x07"), m);
    m = error(write("missing-dims", Arrays.copyOf(good, 10)));
    assertTrue(m.contains("truncated") && m.contains("declares 3 dims"), m);
    m = error(write("truncated-data", Arrays.copyOf(good, good.length - 1)));
    assertTrue(m.contains("truncated") && m.contains("[4, 2, 2]") && m.contains("16 bytes") && m.contains("only 15"), m);
    byte[] longer = Arrays.copyOf(good, good.length + 3);
    m = error(write("trailing", longer));
    assertTrue(m.contains("3 bytes follow"), m);
    m = error(write("negative", idx(0x08, new int[] {-1}, new byte[0])));
    assertTrue(m.contains("negative"), m);
    // a header claiming a huge size over a tiny file: an error, not an allocation of gigabytes
    m = error(write("huge", idx(0x08, new int[] {60000, 28, 28}, new byte[10])));
    assertTrue(m.contains("truncated") && m.contains("47040000 bytes") && m.contains("only 10"), m);
    m = error(write("too-large", idx(0x0E, new int[] {1 << 20, 1 << 20}, new byte[0])));
    assertTrue(m.contains("larger than"), m);
    // gzip: truncated stream, corrupt deflate data, truncated data inside a complete stream
    byte[] gz = gzip(good);
    m = error(write("cut.gz", Arrays.copyOf(gz, gz.length - 12)));
    assertTrue(m.contains("gzip"), m);
    byte[] broken = gz.clone();
    for (int k = 12; k < broken.length - 8; k++) broken[k] = (byte) 0xff;
    m = error(write("broken.gz", broken));
    assertTrue(m.contains("gzip"), m);
    // one flipped bit inside the pixel data of a valid header: only gzip's CRC-32 can tell
    byte[] pixels = new byte[4096];
    for (int k = 0; k < pixels.length; k++) pixels[k] = (byte) (k * 31 + (k >> 5));
    byte[] stored = gzip(idx(0x08, new int[] {4096}, pixels));
    assertEquals(4096, Idx.read(write("ok.gz", stored)).numel());
    byte[] flipped = stored.clone();
    flipped[flipped.length / 2] ^= 0x10;
    m = error(write("flipped.gz", flipped));
    assertTrue(m.contains("gzip") || m.contains("truncated") || m.contains("follow"), m);
    m = error(write("inner-truncated.gz", gzip(Arrays.copyOf(good, good.length - 4))));
    assertTrue(m.contains("truncated") && m.contains("only 12") && m.contains("gzip-decompressed"), m);
    m = error(write("not-gzip.gz", "plain text, not gzip".getBytes()));
    assertTrue(m.contains("not an IDX file") && m.contains("not gzip"), m);
    assertThrows(NoSuchFileException.class, () -> Idx.read(dir.resolve("absent")));
  }

  @Test
  void mnistFolderWithMagicChecksAndCountCheck() throws IOException {
    byte[] pixels = new byte[3 * 28 * 28];
    for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) (i * 7);
    byte[] images = idx(0x08, new int[] {3, 28, 28}, pixels);
    byte[] labels = idx(0x08, new int[] {3}, new byte[] {9, 0, 3});
    Files.write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(images));
    Files.write(dir.resolve("train-labels-idx1-ubyte"), labels);
    Files.write(dir.resolve("t10k-images.idx3-ubyte"), images);
    assertTrue(!Mnist.isPresent(dir));
    var e = assertThrows(NoSuchFileException.class, () -> Mnist.load(dir, false));
    assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte"), e.getMessage());
    Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), gzip(idx(0x08, new int[] {2}, new byte[] {1, 2})));
    assertTrue(Mnist.isPresent(dir));
    try (TensorDataset train = Mnist.load(dir, true)) {
      assertEquals(3, train.size());
      assertEquals(DType.FLOAT32, train.tensor(0).dtype());
      assertArrayEquals(new long[] {3, 28, 28}, train.tensor(0).shape());
      float[] x = train.tensor(0).toFloatArray();
      for (int i = 0; i < x.length; i++) assertEquals(pixels[i] & 0xff, x[i]);
      assertArrayEquals(new long[] {9, 0, 3}, train.tensor(1).toLongArray());
    }
    var count = assertThrows(IOException.class, () -> Mnist.load(dir, false));
    assertTrue(count.getMessage().contains("3 images but") && count.getMessage().contains("2 labels"), count.getMessage());
    // labels where images belong: the magic number check catches it
    Files.write(dir.resolve("t10k-images.idx3-ubyte"), labels);
    var magic = assertThrows(IOException.class, () -> Mnist.load(dir, false));
    assertTrue(magic.getMessage().contains("t10k-images.idx3-ubyte") && magic.getMessage().contains("expected 0x00000803"),
        magic.getMessage());
  }
}
