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
    if (!dtype.isFloatingPoint()) {
      if (mean) throw meanOfIntegers(dtype);
      Tensor out = Tensor.empty(DType.INT64, Shapes.SCALAR, 1);   // PyTorch sums bools and ints as int64
      out.kernels().setLong(out.seg(), 0, Elementwise.sumLong(t));
      return out;
    }
    // A short sum follows PyTorch's order and rounding; a longer one is summed in blocks with a double
    // total, and rounding that once to the element type matches PyTorch's result to within its own
    // summation error.
    double value = dtype.round(Elementwise.sum(t));
    if (mean) value = dtype.round(value / dtype.round(t.numel));   // PyTorch: sum(...).div_(numel)
    ThreadState state = ThreadState.current();
    Tensor out = Tensor.empty(state, dtype, Shapes.SCALAR, 1);
    out.kernels().set(out.seg(), 0, value);
    if (state.gradEnabled && t.requiresGrad()) out.setHistory(new AllBackward(mean, t.shape, dtype, t.gradEdge()));
    return out;
  }

  private static IllegalArgumentException meanOfIntegers(DType dtype) {
    return new IllegalArgumentException("mean(): could not infer output dtype. Input dtype must be either a "
        + "floating point or complex dtype. Got: " + dtype.scalarTypeName());
  }

  /** SumBackward0: the gradient expanded to the input; MeanBackward0: also divided by numel. */
  static final class AllBackward extends Node {
    private final boolean mean;
    private final long[] shape;
    private final DType dtype;

    /** The input's element count is its shape's: not stored, so that the node stays 64 bytes. */
    AllBackward(boolean mean, long[] shape, DType dtype, Node edge) {
      super(edge);
      this.mean = mean;
      this.shape = shape;
      this.dtype = dtype;
    }

    @Override
    public String name() {
      return mean ? "MeanBackward0" : "SumBackward0";
    }

    /**
     * The input's gradient as one element expanded to its shape (every stride 0), as PyTorch's
     * {@code sum_backward} returns {@code grad.expand(sizes)}: nothing is materialised here, and a
     * leaf's accumulator then writes the value once (a fill) instead of copying a filled tensor.
     * Up to {@link #SMALL} elements the filled tensor is cheaper than the view and is returned.
     */
    @Override
    protected Tensor[] apply(Tensor g) {
      return new Tensor[] {grad(g)};
    }

    @Override
    protected void applyTo(Tensor g, Tensor[] grads) {
      grads[0] = grad(g);
    }

    private Tensor grad(Tensor g) {
      long count = Shapes.numel(shape);
      double v = g.item();
      if (mean) v = dtype.round(v / dtype.round(count));
      // a small gradient is just filled: one tensor instead of a one-element tensor and its expanded view
      if (count <= SMALL) return Tensor.filled(dtype, v, shape, count);
      try (Tensor one = Tensor.filled(dtype, v, Shapes.SCALAR, 1)) {
        return one.alias(null, shape, new long[shape.length], 0);
      }
    }

    /** Elements up to which filling the gradient costs less than making a view (a cache line or two). */
    private static final long SMALL = 64;
  }

  // ------------------------------------------------------------------ over dims

  static Tensor overDims(Tensor t, int[] dims, boolean keepdim, boolean mean) {
    t.ensureOpen();
    if (mean && !t.dtype.isFloatingPoint()) throw meanOfIntegers(t.dtype);
    int nd = t.shape.length;
    boolean[] reduce = new boolean[nd];
    if (dims.length == 0) java.util.Arrays.fill(reduce, true);   // PyTorch: an empty dim list reduces all
    boolean seenScalarDim = false;
    for (int d : dims) {
      int n = Shapes.normalizeDim(d, nd);
      if (nd == 0) {   // a 0-dim tensor accepts dim 0 / -1, once
        if (seenScalarDim) throw new IllegalArgumentException("dim 0 appears multiple times in the list of dims");
        seenScalarDim = true;
        continue;
      }
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
      out = kept.reshaped(null, squeezed);
      kept.close();
    }
    if (t.recordsGrad()) out.setHistory(new DimsBackward(mean, t.shape, keptShape, count, t.gradEdge()));
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
      Tensor grad = GradShapes.expand(g, keptShape, inputShape);
      if (mean) divideInPlace(grad, count);
      return new Tensor[] {grad};
    }
  }

  private static void divideInPlace(Tensor t, long count) {
    t.kernels().binaryScalar(BinaryOp.DIV, t.seg(), t.offset, count, t.seg(), t.offset, t.numel);
  }

  /**
   * Sum over the marked dims, keeping them with size 1; not recorded. Runs of adjacent marked dims
   * are reduced in one pass each, as (outer, reduced, inner) blocks.
   */
  static Tensor sumDims(Tensor t, boolean[] reduce) {
    if (t.numel == 0) return sumOfNothing(t, reduce);
    if (SumOrder.applies(t)) return SumOrder.sumDims(t, reduce);   // small: PyTorch's order, any strides
    if (!t.contiguous || !t.dtype.isFloatingPoint()) return sumDimsStrided(t, reduce);
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
      sumBlocks(src, dst, outer, reduced, inner);   // offsets below are relative to src.offset
      if (src != t) src.close();
      src = dst;
      shape = next;
    }
    if (src != t) return src;
    Tensor copy = Casts.copyAs(t, t.dtype);   // nothing reduced (a 0-dim tensor): still 0 + x, as PyTorch's sum
    copy.kernels().binaryScalar(BinaryOp.ADD, copy.seg(), copy.offset, 0, copy.seg(), copy.offset, copy.numel);
    return copy;
  }

  /**
   * Sum over the marked dims of an empty tensor: zeros (int64 for integers and bools), read from
   * nowhere, since an empty view's offset may lie past its storage's end (a slice of a (0, n) tensor).
   */
  private static Tensor sumOfNothing(Tensor t, boolean[] reduce) {
    long[] kept = t.shape.clone();
    for (int i = 0; i < kept.length; i++) if (reduce[i]) kept[i] = 1;
    return Tensor.filled(t.dtype.isFloatingPoint() ? t.dtype : DType.INT64, 0, kept, Shapes.numel(kept));
  }

  /**
   * Sum over the marked dims of a strided or integer tensor, keeping them with size 1: every element
   * is added into an accumulator of the kept shape (float64 with Neumaier's compensation for
   * floating point inputs, so float64 sums of many elements stay accurate to a few ulp; exact int64
   * otherwise), walked through a view of the accumulator that repeats it (stride 0) along the
   * reduced dims.
   */
  private static Tensor sumDimsStrided(Tensor t, boolean[] reduce) {
    int nd = t.shape.length;
    long[] kept = t.shape.clone();
    for (int i = 0; i < nd; i++) if (reduce[i]) kept[i] = 1;
    boolean floating = t.dtype.isFloatingPoint();
    DType accType = floating ? DType.FLOAT64 : DType.INT64;
    long keptNumel = Shapes.numel(kept);
    try (Tensor acc = Tensor.filled(accType, 0, kept, keptNumel);
         Tensor comp = floating ? Tensor.filled(accType, 0, kept, keptNumel) : null) {
      if (t.numel > 0) {
        long[] strides = acc.strides.clone();
        for (int i = 0; i < nd; i++) if (reduce[i]) strides[i] = 0;
        try (Tensor spread = acc.alias(null, t.shape, strides, acc.offset)) {
          var in = t.kernels();
          var out = acc.kernels();
          StridedLoop loop = StridedLoop.of(t.shape, spread, t);
          long so = loop.innerStrides[0], si = loop.innerStrides[1];
          var os = acc.seg();
          var is = t.seg();
          var cs = floating ? comp.seg() : null;
          long shift = floating ? comp.offset - acc.offset : 0;
          loop.run(0, loop.rows, off -> {
            long o = off[0], i = off[1];
            for (long j = 0; j < loop.inner; j++, o += so, i += si) {
              if (floating) {
                double sum = out.get(os, o), x = in.get(is, i), next = sum + x;
                double lost = Math.abs(sum) >= Math.abs(x) ? (sum - next) + x : (x - next) + sum;
                out.set(os, o, next);
                out.set(cs, o + shift, out.get(cs, o + shift) + lost);
              } else {
                out.setLong(os, o, out.getLong(os, o) + in.getLong(is, i));
              }
            }
          });
        }
        if (floating) Elementwise.binary(BinaryOp.ADD, acc, comp, acc);
      }
      return Casts.copyAs(acc, floating ? t.dtype : DType.INT64);
    }
  }

  /** Rows added in the element type before the block's sum joins a double accumulator row. */
  private static final long ROWS_PER_BLOCK = 256;

  private static void sumBlocks(Tensor src, Tensor dst, long outer, long reduced, long inner) {
    ElementKernels k = src.kernels();
    Fusion.Pending pending = src.pending;
    if (inner == 1 && pending != null) {   // sums over the last dims of a pending chain: never stored
      double[] sums = Fusion.sumRows(pending, src.dtype, outer, reduced);
      var d = dst.seg().asSlice(dst.offset * k.elementBytes());
      for (int o = 0; o < sums.length; o++) k.set(d, o, sums[o] + 0.0);   // + 0: never -0.0, as addRows
      return;
    }
    if (pending != null) {   // sums over leading dims of a pending chain: rows evaluated, added as below
      var d = dst.seg().asSlice(dst.offset * k.elementBytes());
      Fusion.sumLeading(pending, src.dtype, outer, reduced, inner, ROWS_PER_BLOCK, d);
      k.binaryScalar(BinaryOp.ADD, d, 0, 0, d, 0, outer * inner);   // its rows start from the first: -0.0 + 0
      return;
    }
    // Both are contiguous: views of them from their offsets keep the index arithmetic below simple.
    var s = src.seg().asSlice(src.offset * k.elementBytes());
    var d = dst.seg().asSlice(dst.offset * k.elementBytes());
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
        k64.fill(total.seg(), 0, inner, 0);
        for (long r = 0; r < reduced; r += ROWS_PER_BLOCK) {
          addRows(k, s, first + r, Math.min(ROWS_PER_BLOCK, reduced - r), inner, block.seg(), 0);
          for (long j = 0; j < inner; j++) {
            k64.set(total.seg(), j, k64.get(total.seg(), j) + k.get(block.seg(), j));
          }
        }
        for (long j = 0; j < inner; j++) k.set(d, row + j, k64.get(total.seg(), j));
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
    // 0 + the first row, not a copy of it: PyTorch's accumulator starts at +0, so a sum is never -0.0
    k.addRows(s, first * inner, count, inner, dst, dstOff, inner);
  }
}
