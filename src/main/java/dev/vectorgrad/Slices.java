package dev.vectorgrad;

import dev.vectorgrad.kernels.Parallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A tensor seen as the slices a reduction over some dims reduces: one slice per position of the
 * kept dims (row-major over the kept shape), each holding the elements of the reduced dims, read
 * with {@link #get} as doubles (int64 also exactly with {@link #getLong}). When the input is
 * contiguous and the reduced dims come after the kept ones (a reduction over the last dims, or
 * over all of them) each slice is already a contiguous run of the input and is read in place
 * ({@link #inPlace}); otherwise the values are copied once, kept dims outermost, into a block of
 * float64 (int64 for int64 inputs), which holds every value exactly. The gradients of the
 * reductions built on this are computed with ordinary broadcasting ops over {@link #keptShape}.
 */
final class Slices implements AutoCloseable {
  /** The input's shape with the reduced dims set to 1. */
  final long[] keptShape;
  /** The result's shape: {@link #keptShape}, or without the reduced dims unless keepdim. */
  final long[] outShape;
  /** Number of slices (the result's numel). */
  final long count;
  /** Elements per slice. */
  final long length;
  /** Which dims are reduced. */
  final boolean[] reduce;
  /** Whether the slices are read in the input itself: slice s is the run at {@link #offset} {@code + s * length}. */
  final boolean inPlace;
  /** Where the slices are read, and the element index of slice 0. */
  final MemorySegment segment;
  final long offset;
  /** The dtype of the elements read (float64 or int64 for a copy). */
  final DType dtype;
  private final Tensor data;

  private Slices(Tensor t, boolean[] reduce, boolean keepdim, boolean read) {
    int nd = t.shape.length;
    this.reduce = reduce;
    keptShape = t.shape.clone();
    long len = 1;
    int outDims = 0;
    boolean trailing = true;   // no reduced dim (of size > 1) before a kept one
    boolean reducedSeen = false;
    for (int i = 0; i < nd; i++) {
      if (reduce[i]) {
        len *= t.shape[i];
        keptShape[i] = 1;
        if (t.shape[i] != 1) reducedSeen = true;
      } else {
        outDims++;
        if (t.shape[i] != 1 && reducedSeen) trailing = false;
      }
    }
    length = len;
    count = Shapes.numel(keptShape);
    if (keepdim) {
      outShape = keptShape;
    } else {
      outShape = new long[outDims];
      for (int i = 0, j = 0; i < nd; i++) if (!reduce[i]) outShape[j++] = t.shape[i];
    }
    if (!read) {
      inPlace = false;
      data = null;
      segment = null;
      offset = 0;
      dtype = t.dtype;
      return;
    }
    if (t.contiguous && trailing) {
      inPlace = true;
      data = null;
      segment = t.seg();
      offset = t.offset;
      dtype = t.dtype;
      return;
    }
    // The kept dims outermost, the reduced ones innermost, each group in its original order.
    long[] shape = new long[nd], strides = new long[nd];
    int k = 0;
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < nd; i++) {
        if (reduce[i] == (pass == 1)) {
          shape[k] = t.shape[i];
          strides[k++] = t.strides[i];
        }
      }
    }
    dtype = t.dtype == DType.INT64 ? DType.INT64 : DType.FLOAT64;
    try (Tensor permuted = t.alias(null, shape, strides, t.offset)) {
      data = Casts.copyAs(permuted, dtype);
    }
    inPlace = false;
    segment = data.seg();
    offset = data.offset;
  }

  /** The slices of {@code t} over the marked dims, copied for reading. */
  static Slices of(Tensor t, boolean[] reduce, boolean keepdim) {
    return new Slices(t, reduce, keepdim, true);
  }

  /** Only the geometry (shapes, counts), nothing copied. */
  static Slices shapeOf(Tensor t, boolean[] reduce, boolean keepdim) {
    return new Slices(t, reduce, keepdim, false);
  }

  /** Element {@code j} of slice {@code s} as a double (int64 inputs converted). */
  double get(long s, long j) {
    long i = offset + s * length + j;
    return switch (dtype) {
      case FLOAT32 -> segment.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
      case FLOAT64 -> segment.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i);
      case INT64 -> (double) segment.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i);
      case BOOL -> segment.get(ValueLayout.JAVA_BYTE, i);
    };
  }

  /** Element {@code j} of slice {@code s} of an int64 or bool input, exactly. */
  long getLong(long s, long j) {
    long i = offset + s * length + j;
    return dtype == DType.BOOL ? segment.get(ValueLayout.JAVA_BYTE, i) : segment.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i);
  }

  /** A function of one slice. */
  @FunctionalInterface
  interface SliceFunction {
    double apply(Slices slices, long slice);
  }

  /**
   * A new tensor of {@link #outShape} and {@code dtype} holding {@code f} of each slice (rounded
   * to the dtype), slices split over threads when there are many elements.
   */
  Tensor map(DType dtype, SliceFunction f) {
    Tensor out = Tensor.empty(dtype, outShape);
    var k = out.kernels();
    Parallel.forRows(count, Math.max(1, length), (from, to) -> {
      for (long s = from; s < to; s++) k.set(out.seg(), s, f.apply(this, s));
    });
    return out;
  }

  /** As {@link #map} for int64 results computed exactly. */
  Tensor mapLong(DType dtype, java.util.function.LongUnaryOperator f) {
    Tensor out = Tensor.empty(dtype, outShape);
    var k = out.kernels();
    Parallel.forRows(count, Math.max(1, length), (from, to) -> {
      for (long s = from; s < to; s++) k.setLong(out.seg(), s, f.applyAsLong(s));
    });
    return out;
  }

  @Override
  public void close() {
    if (data != null) data.close();
  }

  // ------------------------------------------------------------------ dims

  /**
   * Which dims {@code dims} names in a tensor of {@code nd} dims (all of them when empty, as
   * PyTorch's reductions), with PyTorch's messages for a dim out of range or named twice.
   */
  static boolean[] mask(int[] dims, int nd) {
    boolean[] reduce = new boolean[nd];
    if (dims.length == 0) Arrays.fill(reduce, true);
    boolean seen = false;   // a 0-dim tensor's dim 0 (or -1), which has no slot in reduce
    for (int d : dims) {
      int n = Shapes.normalizeDim(d, nd);
      if (nd == 0 ? seen : reduce[n]) {
        throw new IllegalArgumentException("dim " + n + " appears multiple times in the list of dims");
      }
      if (nd == 0) seen = true;
      else reduce[n] = true;
    }
    return reduce;
  }

  /** {@code g} (a result of {@link #outShape}) seen with the reduced dims as size 1: a view the caller closes. */
  Tensor kept(Tensor g) {
    if (g.contiguous) return g.alias(null, keptShape, Shapes.contiguousStrides(keptShape), g.offset);
    try (Tensor c = Casts.contiguousAs(g, g.dtype)) {
      return c.reshaped(null, keptShape);
    }
  }

  /** The dims reduced, as an int array (for the public reduction ops of the derivatives). */
  int[] reducedDims() {
    int n = 0;
    for (boolean r : reduce) if (r) n++;
    int[] dims = new int[n];
    for (int i = 0, j = 0; i < reduce.length; i++) if (reduce[i]) dims[j++] = i;
    return dims;
  }
}
