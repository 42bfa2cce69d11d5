package dev.vectorgrad;

import java.util.Arrays;

/**
 * How to walk several tensors of one (broadcast) shape element by element, whatever their strides:
 * PyTorch's {@code TensorIterator} plan. Size-1 dims are dropped, dims are ordered so that the
 * first operand's smallest strides are innermost (the written tensor is then walked in memory
 * order), and neighbouring dims that every operand steps through evenly are merged. What remains
 * is an outer loop over rows and, per row, one innermost run of {@link #inner} elements in which
 * each operand moves by a fixed {@link #innerStrides stride}: 1 runs a vector kernel directly,
 * 0 repeats one value, anything else is gathered (see {@link Elementwise}).
 */
final class StridedLoop {
  /** Length of each row. */
  final long inner;
  /** Number of rows. */
  final long rows;
  /** Per operand: its step within a row. */
  final long[] innerStrides;
  /** Per operand: the storage index of its first element. */
  private final long[] base;
  /** Outer dims, outermost first. */
  private final long[] outerSizes;
  /** [outer dim][operand] steps. */
  private final long[][] outerStrides;

  private StridedLoop(long inner, long rows, long[] innerStrides, long[] base, long[] outerSizes, long[][] outerStrides) {
    this.inner = inner;
    this.rows = rows;
    this.innerStrides = innerStrides;
    this.base = base;
    this.outerSizes = outerSizes;
    this.outerStrides = outerStrides;
  }

  /**
   * A plan over {@code shape} for operands broadcast to it. Operand 0 decides the walking order
   * (pass the written tensor first); numel must be positive.
   */
  static StridedLoop of(long[] shape, Tensor... operands) {
    int nops = operands.length, nd = shape.length;
    long[][] st = new long[nops][];
    long[] base = new long[nops];
    for (int k = 0; k < nops; k++) {
      Tensor t = operands[k];
      st[k] = Shapes.broadcastStrides(shape, t.shape, t.strides);
      base[k] = t.offset;
    }
    // The dims that move, in the order to walk them.
    int[] dims = new int[nd];
    int m = 0;
    for (int d = 0; d < nd; d++) if (shape[d] != 1) dims[m++] = d;
    for (int i = 1; i < m; i++) {   // insertion sort: stable, and m is small
      int d = dims[i], j = i;
      while (j > 0 && innerThan(st, dims[j - 1], d)) {
        dims[j] = dims[j - 1];
        j--;
      }
      dims[j] = d;
    }
    // Merge neighbours (outer o, inner i) that every operand walks as one: stride[o] == stride[i] * size[i].
    long[] sizes = new long[m];
    long[][] ms = new long[m][nops];
    int n = 0;
    for (int i = 0; i < m; i++) {
      int d = dims[i];
      boolean merge = n > 0;
      for (int k = 0; merge && k < nops; k++) merge = ms[n - 1][k] == st[k][d] * shape[d];
      if (merge) {
        sizes[n - 1] *= shape[d];
        for (int k = 0; k < nops; k++) ms[n - 1][k] = st[k][d];
      } else {
        sizes[n] = shape[d];
        for (int k = 0; k < nops; k++) ms[n][k] = st[k][d];
        n++;
      }
    }
    if (n == 0) return new StridedLoop(1, 1, new long[nops], base, new long[0], new long[0][]);
    long rows = 1;
    for (int i = 0; i < n - 1; i++) rows *= sizes[i];
    return new StridedLoop(sizes[n - 1], rows, ms[n - 1], base, Arrays.copyOf(sizes, n - 1), Arrays.copyOf(ms, n - 1));
  }

  /**
   * Whether dim {@code b} should be walked inside dim {@code a} (currently outside it): decided by
   * the first operand whose steps over the two differ, ignoring broadcast (0) steps.
   */
  private static boolean innerThan(long[][] st, int a, int b) {
    for (long[] s : st) {
      long sa = Math.abs(s[a]), sb = Math.abs(s[b]);
      if (sa == 0 || sb == 0 || sa == sb) continue;
      return sb > sa;
    }
    return false;
  }

  /** One row: {@code offsets[k]} is operand k's storage index of the row's first element. */
  @FunctionalInterface
  interface Row {
    void run(long[] offsets);
  }

  /** Runs {@code body} for rows {@code [from, to)}, updating the offsets incrementally. */
  void run(long from, long to, Row body) {
    int nops = base.length, nd = outerSizes.length;
    long[] offsets = base.clone();
    long[] index = new long[nd];
    long r = from;
    for (int d = nd - 1; d >= 0; d--) {
      long i = r % outerSizes[d];
      r /= outerSizes[d];
      index[d] = i;
      for (int k = 0; k < nops; k++) offsets[k] += i * outerStrides[d][k];
    }
    for (long row = from; row < to; row++) {
      body.run(offsets);
      for (int d = nd - 1; d >= 0; d--) {
        long[] s = outerStrides[d];
        if (++index[d] < outerSizes[d]) {
          for (int k = 0; k < nops; k++) offsets[k] += s[k];
          break;
        }
        index[d] = 0;
        long back = outerSizes[d] - 1;
        for (int k = 0; k < nops; k++) offsets[k] -= back * s[k];
      }
    }
  }

  /** Size of the innermost outer dim (the one rows step through fastest), or 1 when rows are one run. */
  long lastOuterSize() {
    return outerSizes.length == 0 ? 1 : outerSizes[outerSizes.length - 1];
  }

  /** Operand {@code k}'s step along the innermost outer dim (0 when there is none). */
  long lastOuterStride(int k) {
    return outerSizes.length == 0 ? 0 : outerStrides[outerSizes.length - 1][k];
  }

  /** Calls {@code visit} with every element's storage index of operand {@code k}, in walking order. */
  void forEachIndex(int k, java.util.function.LongConsumer visit) {
    long step = innerStrides[k];
    run(0, rows, off -> {
      for (long i = 0, p = off[k]; i < inner; i++, p += step) visit.accept(p);
    });
  }
}
