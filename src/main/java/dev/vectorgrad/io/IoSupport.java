package dev.vectorgrad.io;

import dev.vectorgrad.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.Checksum;

/** Shared pieces of the readers and writers: mapping, converting copies, strided views, writing bytes. */
final class IoSupport {
  private IoSupport() {}

  /**
   * Maps the whole file read-only into {@code arena}. With native access enabled for this code, the
   * mapping is handed on as a plain native segment over the same memory, read-only and closed with
   * {@code arena}: the vector kernels take their fast path only for plain native segments
   * ({@code kernels.NativeSegments}), and a mapped segment has a class of its own. Without native
   * access the mapped segment itself is returned (the same values, the kernels' unchecked path).
   */
  static MemorySegment map(Path file, Arena arena) throws IOException {
    MemorySegment mapped;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
    }
    if (!IoSupport.class.getModule().isNativeAccessEnabled()) return mapped;   // else reinterpret warns
    return MemorySegment.ofAddress(mapped.address()).reinterpret(mapped.byteSize(), arena, null).asReadOnly();
  }

  /** The product of the dims, or -1 when it overflows a long or a dim is negative. */
  static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) return -1;
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        return -1;
      }
    }
    // a zero dim makes any product valid, but the other dims must still be sane
    return n;
  }

  /** Byte size of {@code numel} elements of {@code size} bytes, or -1 on overflow. */
  static long bytes(long numel, int size) {
    if (numel < 0) return -1;
    try {
      return Math.multiplyExact(numel, (long) size);
    } catch (ArithmeticException e) {
      return -1;
    }
  }

  static long[] reversed(long[] a) {
    long[] r = new long[a.length];
    for (int i = 0; i < a.length; i++) r[i] = a[a.length - 1 - i];
    return r;
  }

  /** Column-major strides (in elements) of {@code shape}. */
  static long[] fortranStrides(long[] shape) {
    long[] s = new long[shape.length];
    long step = 1;
    for (int i = 0; i < shape.length; i++) {
      s[i] = step;
      step *= Math.max(shape[i], 1);
    }
    return s;
  }

  /**
   * A vectorgrad-owned tensor holding a copy of {@code numel(shape)} elements of {@code type} at
   * {@code src[off]}, converted to the target dtype; Fortran-ordered data gives a transposed view
   * (strides reversed) of the copy.
   */
  static Tensor copyOf(MemorySegment src, long off, ElemType type, ByteOrder order, long[] shape, boolean fortran) {
    long[] storageShape = fortran ? reversed(shape) : shape;
    Tensor t = Tensor.zeros(type.target, storageShape);
    try {
      if (t.numel() > 0) type.convert(src, off, order, t.segment(), 0, t.numel());
      return fortran ? reverseDims(t) : t;
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
  }

  static Tensor reverseDims(Tensor t) {
    if (t.dim() < 2) return t;
    int[] perm = new int[t.dim()];
    for (int i = 0; i < perm.length; i++) perm[i] = perm.length - 1 - i;
    return t.permute(perm);
  }

  /**
   * A zero-copy view of the mapped bytes when they are already the tensor's representation (native
   * order and width, aligned, bools 0/1), else null.
   */
  static Tensor viewOf(MemorySegment mapped, long off, ElemType type, ByteOrder order, long[] shape, boolean fortran) {
    if (!type.isNative(order) || off % type.size != 0) return null;
    long n = numel(shape);
    MemorySegment data = mapped.asSlice(off, n * type.size);
    if (type == ElemType.B1) {
      for (long i = 0; i < n; i++) {
        if ((data.get(ValueLayout.JAVA_BYTE, i) & 0xfe) != 0) return null;   // not 0/1: copy and normalize
      }
    }
    long[] strides = fortran ? fortranStrides(shape) : contiguousStrides(shape);
    try {
      return Tensor.wrap(data, type.target, shape, strides, 0);
    } catch (IllegalArgumentException misaligned) {
      return null;
    }
  }

  static long[] contiguousStrides(long[] shape) {
    long[] s = new long[shape.length];
    long step = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = step;
      step *= Math.max(shape[i], 1);
    }
    return s;
  }

  /** The little-endian bytes of a tensor in row-major order (a contiguous copy when needed). */
  static MemorySegment littleEndianBytes(Tensor t) {
    Tensor c = t.contiguous();
    MemorySegment seg = c.segment();
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || t.dtype().byteSize() == 1) return seg;
    MemorySegment le = Arena.ofAuto().allocate(seg.byteSize(), 8);
    ValueLayout s = t.dtype().byteSize() == 4 ? ValueLayout.JAVA_INT : ValueLayout.JAVA_LONG;
    ValueLayout d = t.dtype().byteSize() == 4 ? ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN)
        : ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    MemorySegment.copy(seg, s, 0, le, d, 0, t.numel());
    return le;
  }

  private static final int CHUNK = 1 << 20;

  /** Writes the bytes of {@code seg} to {@code out} in chunks (updating {@code crc} when given). */
  static void write(OutputStream out, MemorySegment seg, Checksum crc) throws IOException {
    byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(seg.byteSize(), 1))];
    for (long pos = 0; pos < seg.byteSize(); pos += buf.length) {
      int n = (int) Math.min(buf.length, seg.byteSize() - pos);
      MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, buf, 0, n);
      if (out != null) out.write(buf, 0, n);
      if (crc != null) crc.update(buf, 0, n);
    }
  }

  /** Writes the bytes of {@code seg} to the channel. */
  static void write(FileChannel ch, MemorySegment seg) throws IOException {
    for (long pos = 0; pos < seg.byteSize(); pos += 1 << 30) {
      var bb = seg.asSlice(pos, Math.min(1L << 30, seg.byteSize() - pos)).asByteBuffer();
      while (bb.hasRemaining()) ch.write(bb);
    }
  }
}
