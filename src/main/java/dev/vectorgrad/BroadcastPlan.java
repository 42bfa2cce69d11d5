package dev.vectorgrad;

/**
 * How to walk a broadcast: the output (always contiguous) as rows of {@code inner} elements; in a
 * row each operand either advances one element per output element (step 1) or repeats one value
 * (step 0), which is exactly the shape the vector kernels take. Dimensions that can be walked as
 * one are merged first, so same-shape and scalar cases become a single row.
 */
final class BroadcastPlan {
  final long inner;
  final long rows;
  final int aStep;
  final int bStep;
  private final long[] outerSizes;
  private final long[] aStrides;
  private final long[] bStrides;

  private BroadcastPlan(long inner, long rows, int aStep, int bStep, long[] outerSizes, long[] aStrides, long[] bStrides) {
    this.inner = inner;
    this.rows = rows;
    this.aStep = aStep;
    this.bStep = bStep;
    this.outerSizes = outerSizes;
    this.aStrides = aStrides;
    this.bStrides = bStrides;
  }

  /** A plan for operands {@code a} and {@code b} (b may be null) broadcast to {@code out}. */
  static BroadcastPlan of(long[] out, long[] a, long[] b) {
    int nd = out.length;
    long[] sa = alignedStrides(out, a);
    long[] sb = b == null ? new long[nd] : alignedStrides(out, b);
    // Drop size-1 output dims, then merge neighbours that every operand walks contiguously.
    long[] sizes = new long[nd];
    long[] ma = new long[nd];
    long[] mb = new long[nd];
    int m = 0;
    for (int i = 0; i < nd; i++) {
      if (out[i] == 1) continue;
      if (m > 0 && ma[m - 1] == sa[i] * out[i] && mb[m - 1] == sb[i] * out[i]) {
        sizes[m - 1] *= out[i];
        ma[m - 1] = sa[i];
        mb[m - 1] = sb[i];
      } else {
        sizes[m] = out[i];
        ma[m] = sa[i];
        mb[m] = sb[i];
        m++;
      }
    }
    if (m == 0) return new BroadcastPlan(1, 1, 0, 0, new long[0], new long[0], new long[0]);
    long rows = 1;
    for (int i = 0; i < m - 1; i++) rows *= sizes[i];
    return new BroadcastPlan(sizes[m - 1], rows, (int) ma[m - 1], (int) mb[m - 1],
        java.util.Arrays.copyOf(sizes, m - 1), java.util.Arrays.copyOf(ma, m - 1), java.util.Arrays.copyOf(mb, m - 1));
  }

  /** Strides of a contiguous operand of shape {@code shape} seen through the output's dims; 0 where it repeats. */
  private static long[] alignedStrides(long[] out, long[] shape) {
    int nd = out.length;
    long[] own = Shapes.contiguousStrides(shape);
    long[] s = new long[nd];
    for (int i = 0; i < nd; i++) {
      int j = i - (nd - shape.length);
      s[i] = (j < 0 || shape[j] == 1) ? 0 : own[j];
    }
    return s;
  }

  long aOffset(long row) {
    return offset(row, aStrides);
  }

  long bOffset(long row) {
    return offset(row, bStrides);
  }

  private long offset(long row, long[] strides) {
    long off = 0;
    for (int i = outerSizes.length - 1; i >= 0; i--) {
      long size = outerSizes[i];
      off += (row % size) * strides[i];
      row /= size;
    }
    return off;
  }
}
