package dev.vectorgrad;

import dev.vectorgrad.kernels.ElementKernels;
import dev.vectorgrad.kernels.TorchSumOrder;
import java.lang.foreign.MemorySegment;

/**
 * A small floating point sum over any dims of a tensor of any strides, in PyTorch 1.13's order and
 * rounding: its reduction {@code TensorIterator} (reduced dims first, the others after, each group
 * by ascending input stride; adjacent dims merged where the strides allow) handing
 * {@code cascade_sum} a 2-d loop per index of the remaining dims, and {@code cascade_sum}'s choice of
 * order for that loop (see {@link TorchSumOrder}). Used below {@link ElementKernels#SHORT_SUM}
 * elements, where it costs about what the blocked kernels cost; float32 values then add in
 * float32 exactly as in PyTorch (issue 11). Larger sums keep the faster kernels.
 */
final class SumOrder {
  private SumOrder() {}

  /** Whether {@code t}'s sums are taken here: a floating point tensor of 1 to SHORT_SUM - 1 elements. */
  static boolean applies(Tensor t) {
    return t.numel > 0 && t.numel < ElementKernels.SHORT_SUM && t.dtype.isFloatingPoint();
  }

  /** The sum over the marked dims, keeping them with size 1 (a new contiguous tensor of {@code t}'s dtype). */
  static Tensor sumDims(Tensor t, boolean[] reduce) {
    long[] kept = t.shape.clone();
    for (int d = 0; d < kept.length; d++) if (reduce[d]) kept[d] = 1;
    double[] sums = new double[Math.toIntExact(Shapes.numel(kept))];
    accumulate(t, reduce, kept, sums);
    Tensor out = Tensor.empty(t.dtype, kept);
    ElementKernels k = out.kernels();
    MemorySegment seg = out.seg();
    for (int i = 0; i < sums.length; i++) k.set(seg, out.offset + i, sums[i]);
    return out;
  }

  /** The sum of all elements. */
  static double sumAll(Tensor t) {
    boolean[] all = new boolean[t.shape.length];
    java.util.Arrays.fill(all, true);
    double[] sum = new double[1];
    accumulate(t, all, new long[t.shape.length], sum);
    return sum[0];
  }

  /**
   * PyTorch's output fill with 0, then its loop adding each reduced row's sum into its output element.
   * A pending tensor's values are computed into a copy, so that it stays pending (as the fused sums leave it).
   */
  private static void accumulate(Tensor t, boolean[] reduce, long[] kept, double[] out) {
    if (t.pending != null) {
      try (Tensor values = Fusion.computedCopy(t)) {
        accumulate(values, reduce, kept, out);
      }
      return;
    }
    int nd = Math.max(1, t.shape.length);   // a 0-dim tensor iterates as one element
    long[] size = new long[nd], in = new long[nd], os = new long[nd];
    size[0] = 1;
    long stride = 1;
    for (int d = t.shape.length - 1; d >= 0; d--) {
      size[d] = t.shape[d];
      in[d] = t.strides[d];
      os[d] = reduce[d] ? 0 : stride;   // the output: contiguous in the kept shape, reduced dims stride 0
      stride *= kept[d];
    }
    int[] perm = order(size, in, os);
    long[][] dims = coalesce(perm, size, in, os);
    long[] sh = dims[0], ist = dims[1], ost = dims[2];
    int n = sh.length;
    boolean single = t.dtype == DType.FLOAT32;
    MemorySegment seg = t.seg();
    long[] index = new long[n];
    while (true) {   // the dims after the first two, the third fastest
      long ib = t.offset, ob = 0;
      for (int d = 2; d < n; d++) {
        ib += index[d] * ist[d];
        ob += index[d] * ost[d];
      }
      loop2d(seg, ib, ob, out, sh[0], n > 1 ? sh[1] : 1, ist[0], n > 1 ? ist[1] : 0, ost[0], n > 1 ? ost[1] : 0,
          single);
      int d = 2;
      while (d < n && ++index[d] == sh[d]) index[d++] = 0;
      if (d >= n) return;
    }
  }

  /**
   * {@code TensorIteratorBase::reorder_dimensions} for a reduction: an insertion sort from the
   * reversed dims that puts reduced dims first and otherwise orders by the output's, then the
   * input's stride (equal strides: the shorter dim first), leaving ambiguous pairs as they are.
   */
  private static int[] order(long[] size, long[] in, long[] os) {
    int n = size.length;
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) perm[i] = n - 1 - i;
    for (int i = 1; i < n; i++) {
      int d1 = i;
      for (int d0 = i - 1; d0 >= 0; d0--) {
        int c = shouldSwap(perm[d0], perm[d1], size, in, os);
        if (c > 0) {
          int tmp = perm[d0];
          perm[d0] = perm[d1];
          perm[d1] = tmp;
          d1 = d0;
        } else if (c < 0) {
          break;
        }
      }
    }
    return perm;
  }

  private static int shouldSwap(int d0, int d1, long[] size, long[] in, long[] os) {
    long o0 = os[d0], o1 = os[d1];
    if ((o0 == 0) != (o1 == 0)) return o1 == 0 ? 1 : -1;   // reduced dims to the front
    int c = compare(o0, o1, size[d0], size[d1]);
    return c != 0 ? c : compare(in[d0], in[d1], size[d0], size[d1]);
  }

  /** One operand's verdict: 0 (no opinion) for a broadcast dim, or equal strides with the shorter dim first. */
  private static int compare(long s0, long s1, long size0, long size1) {
    if (s0 == 0 || s1 == 0) return 0;
    if (s0 != s1) return s0 < s1 ? -1 : 1;
    return size0 > size1 ? 1 : 0;
  }

  /**
   * {@code TensorIteratorBase::coalesce_dimensions}: neighbours merge where one has size 1 or every
   * operand's stride continues the other's. Returns the sizes and both operands' strides.
   */
  private static long[][] coalesce(int[] perm, long[] size, long[] in, long[] os) {
    int n = perm.length;
    long[] sh = new long[n], ist = new long[n], ost = new long[n];
    for (int i = 0; i < n; i++) {
      sh[i] = size[perm[i]];
      ist[i] = in[perm[i]];
      ost[i] = os[perm[i]];
    }
    int prev = 0;
    for (int d = 1; d < n; d++) {
      boolean merge = sh[prev] == 1 || sh[d] == 1
          || (sh[prev] * ist[prev] == ist[d] && sh[prev] * ost[prev] == ost[d]);
      if (merge) {
        if (sh[prev] == 1) {
          ist[prev] = ist[d];
          ost[prev] = ost[d];
        }
        sh[prev] *= sh[d];
      } else {
        prev++;
        sh[prev] = sh[d];
        ist[prev] = ist[d];
        ost[prev] = ost[d];
      }
    }
    int m = prev + 1;
    return new long[][] {java.util.Arrays.copyOf(sh, m), java.util.Arrays.copyOf(ist, m),
        java.util.Arrays.copyOf(ost, m)};
  }

  /**
   * {@code cascade_sum}'s 2-d loop: the reduced dim first; then a contiguous reduced dim of at
   * least a vector sums each row as a vector row; a contiguous kept dim of at least a vector sums
   * the columns in blocks of 4 vectors (as columns), then of one vector and one by one (as rows);
   * otherwise rows, or columns in fours and the rest as rows.
   */
  private static void loop2d(MemorySegment seg, long ib, long ob, double[] out, long size0, long size1, long in0,
                             long in1, long out0, long out1, boolean single) {
    if (out0 != 0 && out1 == 0) {   // the reduced dim first
      long t = size0;
      size0 = size1;
      size1 = t;
      t = in0;
      in0 = in1;
      in1 = t;
      t = out0;
      out0 = out1;
      out1 = t;
    }
    if (out0 != 0) {   // nothing reduced here: each output is 0 + its element
      for (long j = 0; j < size1; j++) {
        for (long i = 0; i < size0; i++) {
          add(out, ob + j * out1 + i * out0, load(seg, ib + j * in1 + i * in0, single), single);
        }
      }
      return;
    }
    int w = TorchSumOrder.lanes(single);
    if (in0 == 1 && size0 >= w) {
      for (long j = 0; j < size1; j++) {
        add(out, ob + j * out1, TorchSumOrder.contiguous(seg, ib + j * in1, size0, single), single);
      }
    } else if (in1 == 1 && size1 >= w) {
      long blocks = size1 - size1 % (4L * w), j = 0;
      for (; j < blocks; j++) add(out, ob + j * out1, TorchSumOrder.column(seg, ib + j, in0, size0, single), single);
      for (; j < size1; j++) add(out, ob + j * out1, TorchSumOrder.row(seg, ib + j, in0, size0, single), single);
    } else if (in0 < in1) {
      for (long j = 0; j < size1; j++) {
        add(out, ob + j * out1, TorchSumOrder.row(seg, ib + j * in1, in0, size0, single), single);
      }
    } else {
      long fours = size1 - size1 % 4, j = 0;
      for (; j < fours; j++) add(out, ob + j * out1, TorchSumOrder.column(seg, ib + j * in1, in0, size0, single), single);
      for (; j < size1; j++) add(out, ob + j * out1, TorchSumOrder.row(seg, ib + j * in1, in0, size0, single), single);
    }
  }

  private static void add(double[] out, long at, double value, boolean single) {
    out[(int) at] = TorchSumOrder.add(out[(int) at], value, single);
  }

  private static double load(MemorySegment seg, long i, boolean single) {
    return single ? seg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i)
        : seg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED, i);
  }
}
