package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.kernels.BinaryOp;
import dev.vectorgrad.kernels.ElementKernels;

/** sum and mean, over all elements or over dims, with their derivatives. */
final class Reductions {
  private Reductions() {}

  // ------------------------------------------------------------------ over all elements

  static Tensor sumAll(Tensor t, boolean mean) {
    t.ensureOpen();
    DType dtype = t.dtype;
    // The kernel sums in blocks with a double total; rounding it once to the element type matches
    // PyTorch's float result to within its own summation error.
    double value = dtype.round(t.kernels().sum(t.segment, 0, t.numel));
    if (mean) value = dtype.round(value / dtype.round(t.numel));   // PyTorch: sum(...).div_(numel)
    Tensor out = Tensor.empty(dtype, Shapes.SCALAR, 1);
    out.kernels().set(out.segment, 0, value);
    if (t.requiresGrad && ThreadState.current().gradEnabled) {
      out.requiresGrad = true;
      out.gradFn = new AllBackward(mean, t.shape, dtype, t.numel, t.gradEdge());
    }
    return out;
  }

  /** SumBackward0: the gradient expanded to the input; MeanBackward0: also divided by numel. */
  static final class AllBackward extends Node {
    private final boolean mean;
    private final long[] shape;
    private final DType dtype;
    private final long count;

    AllBackward(boolean mean, long[] shape, DType dtype, long count, Node edge) {
      super(edge);
      this.mean = mean;
      this.shape = shape;
      this.dtype = dtype;
      this.count = count;
    }

    @Override
    public String name() {
      return mean ? "MeanBackward0" : "SumBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      double v = g.item();
      if (mean) v = dtype.round(v / dtype.round(count));
      return new Tensor[] {Tensor.filled(dtype, v, shape, count)};
    }
  }

  // ------------------------------------------------------------------ over dims

  static Tensor overDims(Tensor t, int[] dims, boolean keepdim, boolean mean) {
    t.ensureOpen();
    int nd = t.shape.length;
    boolean[] reduce = new boolean[nd];
    if (dims.length == 0) java.util.Arrays.fill(reduce, true);   // PyTorch: an empty dim list reduces all
    for (int d : dims) {
      int n = Shapes.normalizeDim(d, nd);
      if (nd == 0) continue;
      if (reduce[n]) throw new IllegalArgumentException("dim " + n + " appears multiple times in the list of dims");
      reduce[n] = true;
    }
    long count = 1;
    long[] keptShape = t.shape.clone();
    int outDims = 0;
    for (int i = 0; i < nd; i++) {
      if (reduce[i]) {
        count *= t.shape[i];
        keptShape[i] = 1;
      } else {
        outDims++;
      }
    }
    Tensor kept = sumDims(t, reduce);
    if (mean) divideInPlace(kept, count);
    Tensor out = kept;
    if (!keepdim && outDims != nd) {
      long[] squeezed = new long[outDims];
      for (int i = 0, j = 0; i < nd; i++) if (!reduce[i]) squeezed[j++] = t.shape[i];
      out = kept.view(null, squeezed);
      kept.close();
    }
    if (t.requiresGrad && ThreadState.current().gradEnabled) {
      out.requiresGrad = true;
      out.gradFn = new DimsBackward(mean, t.shape, keptShape, count, t.gradEdge());
    }
    return out;
  }

  /** SumBackward1 / MeanBackward1: the gradient re-gets its reduced dims, is expanded, and for mean divided. */
  static final class DimsBackward extends Node {
    private final boolean mean;
    private final long[] inputShape;
    private final long[] keptShape;
    private final long count;

    DimsBackward(boolean mean, long[] inputShape, long[] keptShape, long count, Node edge) {
      super(edge);
      this.mean = mean;
      this.inputShape = inputShape;
      this.keptShape = keptShape;
      this.count = count;
    }

    @Override
    public String name() {
      return mean ? "MeanBackward1" : "SumBackward1";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      if (mean) checkNotReleased();   // PyTorch 1.13's MeanBackward1 saves its input
      Tensor unsqueezed = g.view(null, keptShape);
      Tensor grad = GradShapes.expand(unsqueezed, inputShape);
      unsqueezed.close();
      if (mean) divideInPlace(grad, count);
      return new Tensor[] {grad};
    }
  }

  private static void divideInPlace(Tensor t, long count) {
    t.kernels().binaryScalar(BinaryOp.DIV, t.segment, 0, count, t.segment, 0, t.numel);
  }

  /**
   * Sum over the marked dims, keeping them with size 1; not recorded. Runs of adjacent marked dims
   * are reduced in one pass each, as (outer, reduced, inner) blocks.
   */
  static Tensor sumDims(Tensor t, boolean[] reduce) {
    Tensor src = t;
    long[] shape = t.shape;
    int i = shape.length - 1;
    while (i >= 0) {
      if (!reduce[i]) {
        i--;
        continue;
      }
      int end = i + 1;
      while (i >= 0 && reduce[i]) i--;
      int start = i + 1;
      long[] next = shape.clone();
      long outer = 1, reduced = 1, inner = 1;
      for (int d = 0; d < shape.length; d++) {
        if (d < start) outer *= shape[d];
        else if (d < end) reduced *= shape[d];
        else inner *= shape[d];
      }
      for (int d = start; d < end; d++) next[d] = 1;
      Tensor dst = Tensor.empty(t.dtype, next);
      sumBlocks(src, dst, outer, reduced, inner);
      if (src != t) src.close();
      src = dst;
      shape = next;
    }
    return src == t ? Casts.copyAs(t, t.dtype) : src;
  }

  /** Rows added in the element type before the block's sum joins a double accumulator row. */
  private static final long ROWS_PER_BLOCK = 256;

  private static void sumBlocks(Tensor src, Tensor dst, long outer, long reduced, long inner) {
    ElementKernels k = src.kernels();
    var s = src.segment;
    var d = dst.segment;
    if (inner == 1) {
      for (long o = 0; o < outer; o++) k.set(d, o, k.sum(s, o * reduced, reduced));
      return;
    }
    if (reduced <= ROWS_PER_BLOCK) {
      for (long o = 0; o < outer; o++) addRows(k, s, o * reduced, reduced, inner, d, o * inner);
      return;
    }
    // Many rows: a float running sum would drift (1M rows of 0.1 lose 1%), so blocks of rows are
    // summed with vector adds and the block sums accumulated in double. One scratch pair serves
    // every outer index.
    try (Tensor block = Tensor.empty(src.dtype, new long[] {inner}, inner);
         Tensor total = Tensor.empty(DType.FLOAT64, new long[] {inner}, inner)) {
      ElementKernels k64 = total.kernels();
      for (long o = 0; o < outer; o++) {
        long row = o * inner, first = o * reduced;
        k64.fill(total.segment, 0, inner, 0);
        for (long r = 0; r < reduced; r += ROWS_PER_BLOCK) {
          addRows(k, s, first + r, Math.min(ROWS_PER_BLOCK, reduced - r), inner, block.segment, 0);
          for (long j = 0; j < inner; j++) {
            k64.set(total.segment, j, k64.get(total.segment, j) + k.get(block.segment, j));
          }
        }
        for (long j = 0; j < inner; j++) k.set(d, row + j, k64.get(total.segment, j));
      }
    }
  }

  /** {@code dst[0:inner] = sum of rows first .. first+count-1} (each row {@code inner} long). */
  private static void addRows(ElementKernels k, java.lang.foreign.MemorySegment s, long first, long count, long inner,
                              java.lang.foreign.MemorySegment dst, long dstOff) {
    if (count == 0) {
      k.fill(dst, dstOff, inner, 0);
      return;
    }
    k.copy(s, first * inner, dst, dstOff, inner);
    for (long r = 1; r < count; r++) {
      k.binary(BinaryOp.ADD, dst, dstOff, s, (first + r) * inner, dst, dstOff, inner);
    }
  }
}
