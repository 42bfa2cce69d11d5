package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.autograd.SavedTensor;
import dev.vectorgrad.kernels.BinaryOp;
import dev.vectorgrad.kernels.ElementKernels;
import dev.vectorgrad.kernels.Parallel;
import dev.vectorgrad.kernels.UnaryOp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * softmax and log_softmax along a dim, numerically stable, with their derivatives.
 *
 * <p>Each row (the elements along the dim) takes PyTorch's vectorized CPU path: the row maximum
 * m (NaN if any element is NaN), then softmax {@code exp(x - m) * (1 / sum)} and log_softmax
 * {@code (x - m) - log(sum)} with {@code sum = sum(exp(x - m))}, every step rounded in the element
 * type. Subtracting the maximum keeps every exponent at most 0, so logits of 1e4 neither
 * overflow nor lose the row; a row holding +inf or only -inf gives NaN, as PyTorch's. A
 * contiguous row is three passes over it while it is in cache (max; exp with running sum; scale),
 * a row of at most one vector (a classifier's ten logits) one masked vector from load to store
 * ({@link ElementKernels#softmaxRows}), rows are split over threads; rows along another dim or of a strided input are gathered into a
 * per-thread scratch row first. Integer and bool inputs are refused, as PyTorch's kernels refuse them.
 */
final class Softmax {
  private Softmax() {}

  private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[1]);

  static Tensor softmax(Tensor t, int dim, boolean log) {
    t.ensureOpen();
    int nd = t.shape.length;
    int d = Shapes.normalizeDim(dim, nd);
    boolean lastDim = nd == 0 || d == nd - 1;
    if (!t.dtype.isFloatingPoint()) {
      // PyTorch 1.13's log_softmax over another dim than the last names softmax's kernel
      throw new IllegalArgumentException("\"" + (log && lastDim ? "log_softmax" : "softmax") + (lastDim ? "_lastdim" : "")
          + "_kernel_impl\" not implemented for '" + t.dtype.scalarTypeName() + "'");
    }
    Tensor out = Tensor.empty(t.dtype, t.shape, t.numel);
    if (t.numel > 0) compute(t, out, d, log);
    if (t.recordsGrad()) out.setHistory(new SoftmaxBackward(log, t, out, d));
    return out;
  }

  private static void compute(Tensor t, Tensor out, int d, boolean log) {
    int nd = t.shape.length;
    long size = nd == 0 ? 1 : t.shape[d];
    DType dtype = t.dtype;
    if (t.contiguous && (nd == 0 || d == nd - 1)) {
      long rows = t.numel / size;
      Parallel.forRows(rows, size, (from, to) -> {
        ElementKernels k = Tensor.serialKernelsFor(dtype);
        k.softmaxRows(log, t.seg(), t.offset + from * size, out.seg(), from * size, to - from, size);
      });
      return;
    }
    // Rows along another dim, or a strided input: walk the rows' first elements, gather each row.
    long[] kept = t.shape.clone();
    kept[d] = 1;
    long si = t.strides[d], so = out.strides[d];
    try (Tensor ib = t.alias(null, kept, t.strides, t.offset);
         Tensor ob = out.alias(null, kept, out.strides, out.offset)) {
      StridedLoop loop = StridedLoop.of(kept, ob, ib);
      long ls0 = loop.innerStrides[0], ls1 = loop.innerStrides[1];
      Parallel.forRows(loop.rows, loop.inner * size, (from, to) -> {
        ElementKernels k = Tensor.serialKernelsFor(dtype);
        MemorySegment scratch = scratch(size * k.elementBytes());
        loop.run(from, to, off -> {
          long o = off[0], i = off[1];
          for (long e = 0; e < loop.inner; e++, o += ls0, i += ls1) {
            if (si == 1 && so == 1) {
              k.softmaxRows(log, t.seg(), i, out.seg(), o, 1, size);
            } else {
              k.copyStrided(t.seg(), i, si, scratch, 0, 1, size);
              k.softmaxRows(log, scratch, 0, scratch, 0, 1, size);
              k.copyStrided(scratch, 0, 1, out.seg(), o, so, size);
            }
          }
        });
      });
    }
  }

  private static MemorySegment scratch(long bytes) {
    MemorySegment[] holder = SCRATCH.get();
    MemorySegment s = holder[0];
    if (s == null || s.byteSize() < bytes) {
      s = Arena.ofAuto().allocate(Math.max(bytes, 4096), 64);
      holder[0] = s;
    }
    return s;
  }

  /**
   * SoftmaxBackward0: {@code y * (g - sum(g * y, dim))}; LogSoftmaxBackward0:
   * {@code g - exp(y) * sum(g, dim)} (PyTorch's {@code _softmax_backward_data} and
   * {@code _log_softmax_backward_data}). Both save the result.
   */
  static final class SoftmaxBackward extends Node {
    private final boolean log;
    private final int dim;
    private SavedTensor result;

    SoftmaxBackward(boolean log, Tensor input, Tensor result, int dim) {
      super(input.gradEdge());
      this.log = log;
      this.dim = dim;
      this.result = new SavedTensor(result, this);
    }

    @Override
    public String name() {
      return log ? "LogSoftmaxBackward0" : "SoftmaxBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      checkNotReleased();
      Tensor y = result.get();
      Tensor fused = lastDimFused(log, g, y, dim);
      if (fused != null) return new Tensor[] {fused};
      int[] dims = {dim};
      if (log) {
        try (Tensor s = g.sum(dims, true); Tensor e = y.exp(); Tensor es = e.mul(s)) {
          return new Tensor[] {g.sub(es)};
        }
      }
      try (Tensor gy = g.mul(y); Tensor s = gy.sum(dims, true); Tensor diff = g.sub(s)) {
        return new Tensor[] {diff.mul(y)};
      }
    }

    @Override
    protected void releaseSaved() {
      result.release();
    }
  }

  /**
   * The derivative below for rows along the last dim of computed contiguous {@code g} and {@code y}
   * (a classifier's logits) into one output, with the operations the composition makes, in its
   * order: log_softmax {@code g - exp(y) * sum(g)}, softmax {@code (g - sum(g * y)) * y}. The row
   * sums are {@code sum(dim, keepdim)}'s own ({@link Reductions#sumDims}), every other step is the
   * exp kernel or one IEEE operation per element, so the bits are the composition's; what goes is
   * its other intermediate tensors and their broadcasting loops (a training step's loss backward).
   * Null when the composition must run: another dim, strided, pending or mixed-type operands, or
   * grad mode on (a recorded backward).
   */
  private static Tensor lastDimFused(boolean log, Tensor g, Tensor y, int dim) {
    int nd = y.shape.length;
    if (nd == 0 || dim != nd - 1 || y.numel == 0 || !g.contiguous || !y.contiguous || g.pending != null
        || y.pending != null || g.dtype != y.dtype || !java.util.Arrays.equals(g.shape, y.shape)
        || GradMode.isEnabled()) {
      return null;
    }
    long size = y.shape[nd - 1];
    long rows = y.numel / size;
    DType dtype = y.dtype;
    boolean[] lastDim = new boolean[nd];
    lastDim[nd - 1] = true;
    Tensor out = Tensor.empty(dtype, y.shape, y.numel);
    MemorySegment gs = g.seg(), ys = y.seg(), os = out.seg();
    long go = g.offset, yo = y.offset;
    // log: out = exp(y), s = sum(g); softmax: out = g * y, s = sum(out)
    if (log) y.kernels().unary(UnaryOp.EXP, 0, 0, ys, yo, os, 0, y.numel);
    else y.kernels().binary(BinaryOp.MUL, gs, go, ys, yo, os, 0, y.numel);
    try (Tensor s = Reductions.sumDims(log ? g : out, lastDim)) {
      // each row's sum as a column over the row (one binaryColumn call for all rows, the bits of a
      // binaryScalar per row), then one elementwise op over the whole tensor
      ElementKernels k = y.kernels();
      if (log) {
        k.binaryColumn(BinaryOp.MUL, os, 0, s.seg(), s.offset, false, os, 0, rows, size);   // exp(y) * s
        k.binary(BinaryOp.SUB, gs, go, os, 0, os, 0, y.numel);                               // g - that
      } else {
        k.binaryColumn(BinaryOp.SUB, gs, go, s.seg(), s.offset, false, os, 0, rows, size);  // g - s
        k.binary(BinaryOp.MUL, os, 0, ys, yo, os, 0, y.numel);                               // that * y
      }
    }
    return out;
  }
}
