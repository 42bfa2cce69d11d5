package dev.vectorgrad;

import dev.vectorgrad.memory.Storage;
import java.lang.foreign.MemorySegment;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * Tensors over memory vectorgrad does not own (zero-copy interop): a caller's {@link MemorySegment},
 * a mapped file, a direct buffer; and the backing segment of a tensor for foreign code. The
 * geometry is checked against the segment up front, so no later access can leave it; the FFM API
 * checks every access against the segment's arena, so a tensor whose arena closed throws
 * {@link IllegalStateException} instead of touching freed memory.
 */
final class Foreign {
  private Foreign() {}

  static Tensor wrap(MemorySegment segment, DType dtype, long[] shape) {
    long[] s = Shapes.checked(shape);
    return wrap(segment, dtype, s, Shapes.contiguousStrides(s), 0);
  }

  static Tensor wrap(MemorySegment segment, DType dtype, long[] shape, long[] strides, long offset) {
    java.util.Objects.requireNonNull(segment, "segment");
    java.util.Objects.requireNonNull(dtype, "dtype");
    long[] s = Shapes.checked(shape);
    if (strides.length != s.length) {
      throw new IllegalArgumentException("mismatch in length of strides and shape: " + strides.length + " strides for "
          + s.length + " dims");
    }
    int bytes = dtype.byteSize();
    if (!segment.isNative() && segment.heapBase().isEmpty()) {
      throw new IllegalArgumentException("the segment is neither native nor backed by a Java array");
    }
    if (segment.isNative() && segment.address() % bytes != 0) {
      throw new IllegalArgumentException("segment address 0x" + Long.toHexString(segment.address()) + " is not aligned to the "
          + bytes + "-byte elements of " + dtype.torchName());
    }
    if (offset < 0) throw new IllegalArgumentException("storage offset must be non-negative, got " + offset);
    long available = segment.byteSize() / bytes;
    long numel = Shapes.numel(s);
    long last = offset;   // the largest element index the geometry reaches
    for (int i = 0; i < s.length; i++) {
      if (strides[i] < 0) throw new IllegalArgumentException("negative strides are not supported, got " + strides[i]);
      if (numel > 0) last = Math.addExact(last, Math.multiplyExact(s[i] - 1, strides[i]));
    }
    if (numel > 0 && last >= available) {
      throw new IllegalArgumentException("a tensor of shape " + Shapes.list(s) + " with strides " + Shapes.list(strides)
          + " and offset " + offset + " reaches element " + last + ", but the segment of " + segment.byteSize()
          + " bytes holds " + available + " elements of " + dtype.torchName());
    }
    return new Tensor(Storage.wrap(segment), dtype, s, strides.clone(), offset, numel, null);
  }

  static Tensor from(Buffer buffer, long[] shape) {
    java.util.Objects.requireNonNull(buffer, "buffer");
    DType dtype;
    ByteOrder order;
    if (buffer instanceof FloatBuffer f) {
      dtype = DType.FLOAT32;
      order = f.order();
    } else if (buffer instanceof DoubleBuffer d) {
      dtype = DType.FLOAT64;
      order = d.order();
    } else if (buffer instanceof LongBuffer l) {
      dtype = DType.INT64;
      order = l.order();
    } else if (buffer instanceof ByteBuffer) {
      throw new IllegalArgumentException("a ByteBuffer has no element type: use Tensor.from(ByteBuffer, DType, shape)");
    } else {
      throw new IllegalArgumentException("unsupported buffer type " + buffer.getClass().getSimpleName()
          + " (FloatBuffer, DoubleBuffer, LongBuffer and ByteBuffer are)");
    }
    if (order != ByteOrder.nativeOrder()) {
      throw new IllegalArgumentException("the buffer is " + order + " but tensors hold native-order (" + ByteOrder.nativeOrder()
          + ") elements: create it from a ByteBuffer with .order(ByteOrder.nativeOrder())");
    }
    return fromSegment(buffer, dtype, shape);
  }

  static Tensor from(ByteBuffer buffer, DType dtype, long[] shape) {
    java.util.Objects.requireNonNull(buffer, "buffer");
    if (dtype.byteSize() > 1 && buffer.order() != ByteOrder.nativeOrder()) {
      throw new IllegalArgumentException("the buffer is " + buffer.order() + " but tensors hold native-order ("
          + ByteOrder.nativeOrder() + ") elements");
    }
    return fromSegment(buffer, dtype, shape);
  }

  private static Tensor fromSegment(Buffer buffer, DType dtype, long[] shape) {
    if (!buffer.isDirect()) {
      throw new IllegalArgumentException("Tensor.from needs a direct buffer (zero-copy); copy a heap array with Tensor.of");
    }
    MemorySegment segment = MemorySegment.ofBuffer(buffer);
    long elements = segment.byteSize() / dtype.byteSize();
    long[] s = shape.length == 0 ? new long[] {elements} : shape;
    return wrap(segment, dtype, s);
  }

  /** The exact bytes of a contiguous tensor, as a slice of its storage. */
  static MemorySegment segment(Tensor t) {
    t.ensureOpen();
    if (!t.contiguous) {
      throw new IllegalStateException("segment() needs a contiguous tensor (this one has strides " + Shapes.list(t.strides)
          + "): call contiguous() first");
    }
    long bytes = t.dtype.byteSize();
    MemorySegment s = t.seg().asSlice(t.offset * bytes, t.numel * bytes);
    t.storage.markExported();   // the caller may write it at any time: ops reading it compute at once
    return s;
  }
}
