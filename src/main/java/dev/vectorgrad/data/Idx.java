package dev.vectorgrad.data;

import dev.vectorgrad.DType;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.internal.Internals;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX format of MNIST, Fashion-MNIST and their kin ({@code train-images-idx3-ubyte},
 * plain or gzipped, recognised by content, not by name). PyTorch equivalent: torchvision's
 * {@code read_image_file} / {@code read_label_file} ({@code read_sn3_pascalvincent_tensor}).
 *
 * <p>The format: a big-endian header, the magic number {@code 0x0000TTDD} (two zero bytes, the
 * element type {@code TT}: 0x08 unsigned byte, 0x09 signed byte, 0x0B int16, 0x0C int32, 0x0D
 * float32, 0x0E float64; the number of dims {@code DD}), then {@code DD} big-endian int32 sizes,
 * then the elements in row-major order, big-endian. MNIST images have magic 2051
 * ({@code 0x00000803}: unsigned bytes, 3 dims), labels 2049 ({@code 0x00000801}).
 *
 * <p>Every check names the file: a magic number that is not IDX, an unknown type, a negative size,
 * a file shorter than its header says (truncated), bytes after the data, broken gzip data. Errors
 * are {@link IOException}s; a missing file is {@link java.nio.file.NoSuchFileException}.
 */
public final class Idx {
  /** Magic number of MNIST-style image files: unsigned bytes, 3 dims (2051). */
  public static final int MAGIC_IMAGES = 0x00000803;
  /** Magic number of MNIST-style label files: unsigned bytes, 1 dim (2049). */
  public static final int MAGIC_LABELS = 0x00000801;

  private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfFloat BE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfDouble BE_DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

  private Idx() {}

  /**
   * The file's tensor in its natural dtype: int64 for the integer types (unsigned bytes as
   * 0..255), float32 for 0x0D, float64 for 0x0E. PyTorch: torchvision's
   * {@code read_sn3_pascalvincent_tensor(path)} (which keeps uint8, a dtype vectorgrad lacks).
   */
  public static Tensor read(Path file) throws IOException {
    return read(file, null);
  }

  /**
   * The file's tensor converted to {@code dtype} while reading: FLOAT32 or FLOAT64 for any type
   * (images as float32 0..255: divide by 255 for torchvision's {@code ToTensor()} scale), INT64 for
   * the integer types; null for the natural dtype of {@link #read(Path)}.
   *
   * @throws IllegalArgumentException for BOOL, or INT64 from a floating-point file
   */
  public static Tensor read(Path file, DType dtype) throws IOException {
    return read(file, dtype, -1);
  }

  /**
   * As {@link #read(Path, DType)} from a stream (plain or gzipped); {@code name} names the source in
   * error messages. The stream is read to its end, not closed.
   */
  public static Tensor read(InputStream in, String name, DType dtype) throws IOException {
    return read(in, name, dtype, -1);
  }

  /** As {@link #read(Path, DType)}, also checking the magic number ({@code expectedMagic} -1: any). */
  static Tensor read(Path file, DType dtype, int expectedMagic) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString(), dtype, expectedMagic);
    }
  }

  static Tensor read(InputStream raw, String name, DType dtype, int expectedMagic) throws IOException {
    if (dtype == DType.BOOL) throw new IllegalArgumentException("IDX data cannot be read as bool");
    InputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    boolean gzip = b0 == 0x1f && b1 == 0x8b;
    if (gzip) {
      try {
        in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
      } catch (ZipException | EOFException e) {
        throw corruptGzip(name, e);
      }
    }
    try {
      return parse(in, name, gzip, dtype, expectedMagic);
    } catch (ZipException e) {
      throw corruptGzip(name, e);
    } catch (EOFException e) {
      if (gzip) throw new IOException(name + ": truncated gzip data (" + e.getMessage() + ")", e);
      throw e;
    }
  }

  private static IOException corruptGzip(String name, IOException e) {
    return new IOException(name + ": corrupt gzip data (" + e.getMessage() + ")", e);
  }

  private static Tensor parse(InputStream in, String name, boolean gzip, DType dtype, int expectedMagic)
      throws IOException {
    String what = gzip ? " (gzip-decompressed)" : "";
    byte[] head = in.readNBytes(4);
    if (head.length < 4) {
      throw new IOException(name + ": truncated IDX file: " + head.length + " bytes" + what
          + ", too short for the 4-byte magic number");
    }
    int magic = MemorySegment.ofArray(head).get(BE_INT, 0);
    if (head[0] != 0 || head[1] != 0) {
      throw new IOException(name + ": not an IDX file: magic number " + hex(magic)
          + " does not start with two zero bytes" + what + (name.endsWith(".gz") && !gzip ? " (and it is not gzip data)" : ""));
    }
    int type = head[2] & 0xff;
    int elementBytes = switch (type) {
      case 0x08, 0x09 -> 1;
      case 0x0B -> 2;
      case 0x0C, 0x0D -> 4;
      case 0x0E -> 8;
      default -> throw new IOException(name + ": not an IDX file: magic number " + hex(magic) + what
          + " has unknown element type 0x" + String.format("%02x", type)
          + " (known: 0x08 ubyte, 0x09 byte, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64)");
    };
    if (expectedMagic != -1 && magic != expectedMagic) {
      throw new IOException(name + ": magic number " + hex(magic) + " (" + magic + "), expected "
          + hex(expectedMagic) + " (" + expectedMagic + ")");
    }
    int ndims = head[3] & 0xff;
    byte[] dimBytes = in.readNBytes(4 * ndims);
    if (dimBytes.length < 4 * ndims) {
      throw new IOException(name + ": truncated IDX file: the header declares " + ndims + " dims but holds "
          + dimBytes.length / 4 + " sizes" + what);
    }
    long[] shape = new long[ndims];
    long count = 1;
    for (int d = 0; d < ndims; d++) {
      int size = MemorySegment.ofArray(dimBytes).get(BE_INT, 4L * d);
      if (size < 0) {
        throw new IOException(name + ": corrupt IDX header: size of dim " + d + " is negative (" + size + ")");
      }
      shape[d] = size;
      count = Math.multiplyExact(count, size);
    }
    long dataBytes = count * elementBytes;
    if (dataBytes > Integer.MAX_VALUE - 16) {
      throw new IOException(name + ": IDX data of " + dataBytes + " bytes (shape " + java.util.Arrays.toString(shape)
          + ") is larger than this reader supports (2 GiB)");
    }
    // readNBytes grows its buffer as data arrives: a corrupt header cannot make it allocate much more than the file holds.
    byte[] data = in.readNBytes((int) dataBytes);
    if (data.length < dataBytes) {
      throw new IOException(name + ": truncated IDX file: the header declares shape "
          + java.util.Arrays.toString(shape) + " of " + typeName(type) + " = " + dataBytes + " bytes of data, but only "
          + data.length + " follow" + what);
    }
    long extra = in.transferTo(java.io.OutputStream.nullOutputStream());
    if (extra > 0) {
      throw new IOException(name + ": corrupt IDX file: " + extra + " bytes follow the "
          + dataBytes + " bytes of data its header declares (shape " + java.util.Arrays.toString(shape) + ")");
    }
    boolean floating = type == 0x0D || type == 0x0E;
    DType target = dtype != null ? dtype : type == 0x0D ? DType.FLOAT32 : type == 0x0E ? DType.FLOAT64 : DType.INT64;
    if (target == DType.INT64 && floating) {
      throw new IllegalArgumentException(name + ": IDX " + typeName(type) + " data cannot be read as int64");
    }
    return toTensor(data, type, shape, (int) count, target);
  }

  private static Tensor toTensor(byte[] data, int type, long[] shape, int count, DType dtype) {
    Tensor out = Tensor.zeros(dtype, shape);
    Internals.TensorAccess access = Internals.tensors();
    MemorySegment dst = access.storageSegment(out);
    long off = access.offset(out);
    MemorySegment src = MemorySegment.ofArray(data);
    for (int i = 0; i < count; i++) {
      double v;
      long l;
      switch (type) {
        case 0x08 -> l = data[i] & 0xff;
        case 0x09 -> l = data[i];
        case 0x0B -> l = src.get(BE_SHORT, 2L * i);
        case 0x0C -> l = src.get(BE_INT, 4L * i);
        default -> l = 0;
      }
      switch (type) {
        case 0x0D -> v = src.get(BE_FLOAT, 4L * i);
        case 0x0E -> v = src.get(BE_DOUBLE, 8L * i);
        default -> v = l;
      }
      switch (dtype) {
        case FLOAT32 -> dst.setAtIndex(ValueLayout.JAVA_FLOAT, off + i, (float) v);
        case FLOAT64 -> dst.setAtIndex(ValueLayout.JAVA_DOUBLE, off + i, v);
        case INT64 -> dst.setAtIndex(ValueLayout.JAVA_LONG, off + i, l);
        default -> throw new AssertionError(dtype);
      }
    }
    access.bumpVersion(out);
    return out;
  }

  private static String typeName(int type) {
    return switch (type) {
      case 0x08 -> "ubyte";
      case 0x09 -> "byte";
      case 0x0B -> "int16";
      case 0x0C -> "int32";
      case 0x0D -> "float32";
      default -> "float64";
    };
  }

  private static String hex(int magic) {
    return String.format("0x%08x", magic);
  }
}
