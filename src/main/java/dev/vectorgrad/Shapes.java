package dev.vectorgrad;

import java.util.Arrays;

/** Shape arithmetic and PyTorch's wording for shape errors. */
final class Shapes {
  static final long[] SCALAR = new long[0];

  private Shapes() {}

  /** A defensive copy of a user-supplied shape, rejecting negative sizes as PyTorch does. */
  static long[] checked(long[] shape) {
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("Trying to create tensor with negative dimension " + d + ": "
            + Arrays.toString(shape));
      }
    }
    numel(shape);
    return shape.length == 0 ? SCALAR : shape.clone();
  }

  static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) n = Math.multiplyExact(n, d);
    return n;
  }

  static void checkSize(long[] shape, long dataLength) {
    if (numel(shape) != dataLength) {
      throw new IllegalArgumentException("shape '" + Arrays.toString(shape) + "' is invalid for input of size " + dataLength);
    }
  }

  static int arrayLength(long numel) {
    if (numel > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("a tensor of " + numel + " elements does not fit in a Java array");
    }
    return (int) numel;
  }

  /** The broadcast shape of {@code a} and {@code b} ({@code torch.broadcast_shapes}). */
  static long[] broadcast(long[] a, long[] b) {
    if (Arrays.equals(a, b)) return a;
    int nd = Math.max(a.length, b.length);
    long[] out = new long[nd];
    for (int i = nd - 1; i >= 0; i--) {
      int ia = i - (nd - a.length);
      int ib = i - (nd - b.length);
      long sa = ia >= 0 ? a[ia] : 1;
      long sb = ib >= 0 ? b[ib] : 1;
      if (sa != sb && sa != 1 && sb != 1) {
        throw new IllegalArgumentException("The size of tensor a (" + sa + ") must match the size of tensor b ("
            + sb + ") at non-singleton dimension " + i);
      }
      out[i] = sa == 1 ? sb : sa;
    }
    return out;
  }

  /** The strides {@code {1}} of every contiguous 1-D tensor. */
  private static final long[] UNIT_STRIDE = {1};
  /** Rows up to this length have their 2-D contiguous strides {@code {n, 1}} made once. */
  private static final int SHARED_ROWS = 256;
  private static final long[][] ROW_STRIDES = new long[SHARED_ROWS + 1][];

  static {
    for (int n = 0; n <= SHARED_ROWS; n++) ROW_STRIDES[n] = new long[] {Math.max(n, 1), 1};
  }

  /**
   * Row-major strides of a contiguous tensor, in elements; a dim of size 0 counts as size 1, as in
   * PyTorch ({@code torch.empty(4, 0).stride()} is {@code (1, 1)}). Strides arrays are never written once a
   * tensor has them (views derive new ones), so those of 0-dim, 1-D and narrow 2-D tensors are
   * shared rather than made per tensor.
   */
  static long[] contiguousStrides(long[] shape) {
    switch (shape.length) {
      case 0 -> {
        return SCALAR;
      }
      case 1 -> {
        return UNIT_STRIDE;
      }
      case 2 -> {
        long n = shape[1];
        if (n >= 0 && n <= SHARED_ROWS) return ROW_STRIDES[(int) n];
      }
      default -> { }
    }
    long[] strides = new long[shape.length];
    long s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      strides[i] = s;
      s *= Math.max(shape[i], 1);
    }
    return strides;
  }

  /** PyTorch's {@code is_contiguous}: row-major without gaps, ignoring the strides of size-1 dims. */
  static boolean isContiguous(long[] shape, long[] strides) {
    long expected = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      long size = shape[i];
      if (size == 0) return true;
      if (size == 1) continue;
      if (strides[i] != expected) return false;
      expected *= size;
    }
    return true;
  }

  /**
   * The strides of a tensor of shape {@code shape} and strides {@code strides} seen through the
   * broadcast shape {@code out}: 0 where a dim is new or repeats (size 1), PyTorch's expand rule.
   */
  static long[] broadcastStrides(long[] out, long[] shape, long[] strides) {
    int nd = out.length, lead = nd - shape.length;
    long[] s = new long[nd];
    for (int i = lead; i < nd; i++) {
      s[i] = shape[i - lead] == 1 && out[i] != 1 ? 0 : strides[i - lead];
    }
    return s;
  }

  /** {@code dim} in {@code [0, ndim)}, accepting negative dims, with PyTorch's message otherwise. */
  static int normalizeDim(int dim, int ndim) {
    int lo = ndim == 0 ? -1 : -ndim;
    int hi = ndim == 0 ? 0 : ndim - 1;
    if (dim < lo || dim > hi) {
      throw new IllegalArgumentException("Dimension out of range (expected to be in range of [" + lo + ", " + hi
          + "], but got " + dim + ")");
    }
    return dim < 0 ? dim + Math.max(ndim, 1) : dim;
  }

  /** PyTorch's {@code torch.Size([2, 3])} text. */
  static String torchSize(long[] shape) {
    StringBuilder sb = new StringBuilder("torch.Size([");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) sb.append(", ");
      sb.append(shape[i]);
    }
    return sb.append("])").toString();
  }

  /** PyTorch's {@code [2, 3]} text in shape messages. */
  static String list(long[] shape) {
    return Arrays.toString(shape);
  }
}
