package dev.vectorgrad.io;

import dev.vectorgrad.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * numpy's {@code .npy} files, format versions 1.0, 2.0 and 3.0. numpy: {@code np.load},
 * {@code np.save}, {@code np.load(mmap_mode='r')}.
 *
 * <p>Dtypes: {@code <f4 <f8 <i8 |b1} are read as float32, float64, int64 and bool as they are;
 * the integer types {@code <i4 <i2 |i1 |u1 <u2 <u4} are <b>read into int64</b> (exact: every value
 * fits), and {@code <f2} (half precision) into float32 (exact). Big-endian variants ({@code >f4}
 * ...) are converted to native order on read. A Fortran-ordered array ({@code fortran_order: True})
 * reads as a strided view whose strides are column-major, as {@code torch.from_numpy} gives. Other
 * dtypes (object, structured, strings, complex, {@code u8}, datetimes) are refused with a
 * {@link FormatException}.
 */
public final class Npy {
  private Npy() {}

  /**
   * Reads the file into a vectorgrad-owned tensor (a copy that outlives the file). numpy:
   * {@code np.load(path)}.
   *
   * @throws FormatException when the file is not a valid {@code .npy} file of a supported dtype
   *     (the message names the file and the problem)
   */
  public static Tensor read(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment mapped = IoSupport.map(file, arena);
      NpyHeader h = header(file, mapped);
      return IoSupport.copyOf(mapped, h.dataOffset(), h.type(), h.order(), h.shape(), h.fortran());
    }
  }

  /**
   * Maps the file and returns a holder whose tensor is a zero-copy read-only view of the mapping,
   * valid until the holder closes. When the file's bytes need converting (big-endian, a widened
   * dtype such as {@code <i4} or {@code <f2}, misaligned data, bool bytes other than 0/1) the
   * tensor is a converted copy instead: {@link MappedTensor#isZeroCopy()} says which. numpy:
   * {@code np.load(path, mmap_mode='r')}.
   *
   * @throws FormatException when the file is not a valid {@code .npy} file of a supported dtype
   */
  public static MappedTensor map(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    Arena arena = Arena.ofShared();
    try {
      MemorySegment mapped = IoSupport.map(file, arena);
      NpyHeader h = header(file, mapped);
      Tensor view = IoSupport.viewOf(mapped, h.dataOffset(), h.type(), h.order(), h.shape(), h.fortran());
      if (view != null) return new MappedTensor(file, arena, view, true);
      Tensor copy = IoSupport.copyOf(mapped, h.dataOffset(), h.type(), h.order(), h.shape(), h.fortran());
      arena.close();
      return new MappedTensor(file, arena, copy, false);
    } catch (IOException | RuntimeException | Error e) {
      if (arena.scope().isAlive()) arena.close();
      throw e;
    }
  }

  /**
   * Writes the tensor (any layout; written in row-major order) as a {@code .npy} file of format
   * version 1.0 (2.0 when the header needs it) that {@code np.load} reads. numpy: {@code np.save}.
   */
  public static void write(Path file, Tensor tensor) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(tensor, "tensor");
    MemorySegment data = IoSupport.littleEndianBytes(tensor);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      IoSupport.write(ch, MemorySegment.ofArray(NpyHeader.format(tensor.dtype(), tensor.shape())));
      IoSupport.write(ch, data);
    }
  }

  /** Writes the {@code .npy} bytes of the tensor to a stream (used by {@link Npz}). */
  static void write(OutputStream out, Tensor tensor, java.util.zip.Checksum crc) throws IOException {
    byte[] header = NpyHeader.format(tensor.dtype(), tensor.shape());
    if (out != null) out.write(header);
    if (crc != null) crc.update(header, 0, header.length);
    IoSupport.write(out, IoSupport.littleEndianBytes(tensor), crc);
  }

  /** The byte size of the {@code .npy} encoding of the tensor. */
  static long encodedSize(Tensor tensor) {
    return NpyHeader.format(tensor.dtype(), tensor.shape()).length + tensor.numel() * tensor.dtype().byteSize();
  }

  /** Parses and validates the header of a mapped file: the data must lie within the file. */
  static NpyHeader header(Path file, MemorySegment mapped) throws FormatException {
    long size = mapped.byteSize();
    byte[] pre = new byte[12];
    int n = (int) Math.min(12, size);
    MemorySegment.copy(mapped, ValueLayout.JAVA_BYTE, 0, pre, 0, n);
    int major = NpyHeader.version(file, pre, n);
    int preLen = NpyHeader.preambleLength(major);
    if (size < preLen) throw new FormatException(file, "truncated .npy file: " + size + " bytes end inside the preamble");
    long headerLen = NpyHeader.headerLength(pre, major);
    if (headerLen > size - preLen) {
      throw new FormatException(file, "truncated .npy file: the header length " + headerLen + " runs past the end of the "
          + size + "-byte file");
    }
    byte[] dict = new byte[(int) headerLen];
    MemorySegment.copy(mapped, ValueLayout.JAVA_BYTE, preLen, dict, 0, dict.length);
    NpyHeader h = NpyHeader.parse(file, major, dict, preLen + headerLen);
    long need = h.dataBytes();
    if (need > size - h.dataOffset()) {
      throw new FormatException(file, "truncated .npy file: shape " + java.util.Arrays.toString(h.shape()) + " needs " + need
          + " data bytes but only " + (size - h.dataOffset()) + " follow the header");
    }
    return h;
  }

  /**
   * Reads a {@code .npy} stream (a {@code .npz} entry) into an owned tensor; {@code maxBytes}
   * bounds what the stream can hold, so nothing larger is allocated.
   */
  static Tensor read(Path file, String entry, InputStream in, long maxBytes) throws IOException {
    String where = entry == null ? "" : "entry " + entry + ": ";
    byte[] pre = new byte[12];
    int n = in.readNBytes(pre, 0, 8);
    int major;
    try {
      major = NpyHeader.version(file, pre, n);
    } catch (FormatException e) {
      throw new FormatException(file, where + e.getMessage().substring(file.toString().length() + 2));
    }
    int preLen = NpyHeader.preambleLength(major);
    if (in.readNBytes(pre, 8, preLen - 8) != preLen - 8) throw new FormatException(file, where + "truncated .npy preamble");
    long headerLen = NpyHeader.headerLength(pre, major);
    if (headerLen > maxBytes - preLen) {
      throw new FormatException(file, where + "the .npy header length " + headerLen + " exceeds the entry's size");
    }
    byte[] dict = in.readNBytes((int) headerLen);
    if (dict.length != headerLen) throw new FormatException(file, where + "truncated .npy header");
    NpyHeader h;
    try {
      h = NpyHeader.parse(file, major, dict, preLen + headerLen);
    } catch (FormatException e) {
      throw new FormatException(file, where + e.getMessage().substring(file.toString().length() + 2));
    }
    long need = h.dataBytes();
    if (need > maxBytes - h.dataOffset()) {
      throw new FormatException(file, where + "shape " + java.util.Arrays.toString(h.shape()) + " needs " + need
          + " data bytes, more than the entry holds");
    }
    long[] storageShape = h.fortran() ? IoSupport.reversed(h.shape()) : h.shape();
    Tensor t = Tensor.zeros(h.type().target, storageShape);
    try {
      if (t.numel() > 0) {
        MemorySegment dst = t.segment();
        int size = h.type().size;
        int chunkElems = Math.max(1, (1 << 20) / size);
        byte[] buf = new byte[(int) Math.min((long) chunkElems * size, need)];
        MemorySegment src = MemorySegment.ofArray(buf);
        long done = 0;
        long outSize = h.type().target.byteSize();
        while (done < h.numel()) {
          int k = (int) Math.min(chunkElems, h.numel() - done);
          int got = in.readNBytes(buf, 0, k * size);
          if (got != k * size) {
            throw new FormatException(file, where + "truncated .npy data: " + (done * size + got) + " of " + need + " bytes");
          }
          h.type().convert(src, 0, h.order(), dst, done * outSize, k);
          done += k;
        }
      }
      return h.fortran() ? IoSupport.reverseDims(t) : t;
    } catch (IOException | RuntimeException e) {
      t.close();
      throw e;
    }
  }
}
