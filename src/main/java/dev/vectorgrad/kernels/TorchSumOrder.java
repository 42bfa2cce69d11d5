package dev.vectorgrad.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * PyTorch 1.13's order of additions in its CPU sum of float32 and float64 values
 * ({@code aten/src/ATen/native/cpu/SumKernel.cpp}: {@code cascade_sum}, {@code row_sum},
 * {@code multi_row_sum}, {@code vectorized_inner_sum}), replayed with scalar adds rounded to the
 * element type. PyTorch adds float32 values in float32, so which partial sums meet decides the last
 * bits, and sometimes whether terms that cancel give exactly 0 (issue 11, program 13011147). The
 * kernels use it for short runs ({@link ElementKernels#SHORT_SUM}); longer ones keep the blocked
 * vector sum, within rounding of PyTorch's. Each claim here was checked bit for bit against torch
 * 1.13 ({@code src/test/resources/golden/sumorder/gen_sum_order.py}).
 *
 * <p>The lane counts are those of the AVX2 build the goldens come from (8 float32 or 4 float64
 * lanes per 32-byte vector), fixed so that results do not depend on the host's vector width.
 */
public final class TorchSumOrder {
  private TorchSumOrder() {}

  /** PyTorch's interleaved partial sums per row ({@code ilp_factor}). */
  private static final int ILP = 4;
  /** Levels of the cascade in {@code multi_row_sum}. */
  private static final int LEVELS = 4;
  /** Rows {@code multi_row_sum} adds before its first cascade step (for fewer than 2^20 rows). */
  private static final int CASCADE = 16;
  private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
  private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;

  /** Lanes of PyTorch's vectors of the element type ({@code Vectorized<scalar_t>::size()} with AVX2). */
  public static int lanes(boolean single) {
    return single ? 8 : 4;
  }

  /**
   * {@code x + y} in the element type ({@code single}: float32). A float32 add: the double sum of
   * two floats rounded to float is the correctly rounded float sum (53 >= 2 * 24 + 2 bits).
   */
  public static double add(double x, double y, boolean single) {
    return single ? (float) (x + y) : x + y;
  }

  /**
   * The sum of a contiguous run as PyTorch sums a contiguous inner row: from one vector's length
   * ({@code vectorized_inner_sum}) the run's whole vectors are added as {@link #row} adds elements,
   * lane by lane, then the elements after them one by one from 0, then the lanes in order; a
   * shorter run is a {@link #row} of elements.
   */
  public static double contiguous(MemorySegment a, long off, long n, boolean single) {
    int w = lanes(single);
    if (n < (long) w * ILP * CASCADE) return shortRun(a, off, (int) n, single);
    return general(a, off, n, w, single);
  }

  /** {@link #contiguous} as written, with the cascade (its rows of 4 vectors reach 16). */
  private static double general(MemorySegment a, long off, long n, int w, boolean single) {
    long vectors = n / w;
    double s = 0;
    for (long i = vectors * w; i < n; i++) s = add(s, load(a, off + i, single), single);
    for (int lane = 0; lane < w; lane++) s = add(s, row(a, off + lane, w, vectors, single), single);
    return s;
  }

  /**
   * {@code row_sum}: the {@code n} elements at {@code off, off + stride, ...} seen as rows of 4,
   * each of the 4 columns summed by {@link #column}; the elements after the last whole row are
   * added into the first column's sum, then the four sums are added in order.
   */
  public static double row(MemorySegment a, long off, long stride, long n, boolean single) {
    long rows = n / ILP;
    double p0 = column(a, off, ILP * stride, rows, single);
    double p1 = column(a, off + stride, ILP * stride, rows, single);
    double p2 = column(a, off + 2 * stride, ILP * stride, rows, single);
    double p3 = column(a, off + 3 * stride, ILP * stride, rows, single);
    for (long i = rows * ILP; i < n; i++) p0 = add(p0, load(a, off + i * stride, single), single);
    return add(add(add(p0, p1, single), p2, single), p3, single);
  }

  /**
   * {@code multi_row_sum} of one column: a running sum from 0, except that every {@code 2^p}
   * elements ({@code p = max(4, ceil(log2 n) / 4)}) the running sum is moved into the next level's
   * sum (and on, while the count is a multiple of the next level's span), the levels added up at
   * the end: only sums of similar counts meet.
   */
  public static double column(MemorySegment a, long off, long stride, long n, boolean single) {
    int power = Math.max(4, ceilLog2(n) / LEVELS);
    long step = 1L << power, mask = step - 1;
    double acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
    long i = 0;
    while (i + step <= n) {
      for (long j = 0; j < step; j++, i++) acc0 = add(acc0, load(a, off + i * stride, single), single);
      acc1 = add(acc1, acc0, single);
      acc0 = 0;
      if ((i & (mask << power)) == 0) {
        acc2 = add(acc2, acc1, single);
        acc1 = 0;
        if ((i & (mask << 2 * power)) == 0) {
          acc3 = add(acc3, acc2, single);
          acc2 = 0;
        }
      }
    }
    for (; i < n; i++) acc0 = add(acc0, load(a, off + i * stride, single), single);
    return add(add(add(acc0, acc1, single), acc2, single), acc3, single);
  }

  /**
   * {@link #contiguous} of fewer than {@code lanes * 4 * 16} elements, where no cascade level is
   * reached: the same adds with each lane's four partial sums in locals (a few ns for a short run).
   */
  private static double shortRun(MemorySegment a, long off, int n, boolean single) {
    int w = lanes(single);
    if (n < w) {   // row_sum of elements: four partial sums from 0 (rows of 4), the tail into the first
      if (n < ILP) {
        double s = 0;
        for (int i = 0; i < n; i++) s = add(s, load(a, off + i, single), single);
        return s;
      }
      double p0 = add(0, load(a, off, single), single);
      double p1 = add(0, load(a, off + 1, single), single);
      double p2 = add(0, load(a, off + 2, single), single);
      double p3 = add(0, load(a, off + 3, single), single);
      for (int i = ILP; i < n; i++) p0 = add(p0, load(a, off + i, single), single);
      return add(add(add(p0, p1, single), p2, single), p3, single);
    }
    int vectors = n / w, rows = vectors / ILP;
    double s = 0;
    for (int i = vectors * w; i < n; i++) s = add(s, load(a, off + i, single), single);
    for (int lane = 0; lane < w; lane++) {
      double p0 = 0, p1 = 0, p2 = 0, p3 = 0;
      long at = off + lane;
      for (int r = 0; r < rows; r++, at += ILP * w) {
        p0 = add(p0, load(a, at, single), single);
        p1 = add(p1, load(a, at + w, single), single);
        p2 = add(p2, load(a, at + 2 * w, single), single);
        p3 = add(p3, load(a, at + 3 * w, single), single);
      }
      for (int v = rows * ILP; v < vectors; v++, at += w) p0 = add(p0, load(a, at, single), single);
      s = add(s, add(add(add(p0, p1, single), p2, single), p3, single), single);
    }
    return s;
  }

  /** PyTorch's {@code utils::CeilLog2}: 1 up to 2, else {@code ceil(log2 x)}. */
  private static int ceilLog2(long x) {
    return x <= 2 ? 1 : 64 - Long.numberOfLeadingZeros(x - 1);
  }

  private static double load(MemorySegment a, long i, boolean single) {
    return single ? a.getAtIndex(FLOAT, i) : a.getAtIndex(DOUBLE, i);
  }
}
