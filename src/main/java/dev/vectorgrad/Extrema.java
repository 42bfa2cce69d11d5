package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.autograd.SavedTensor;
import dev.vectorgrad.kernels.ElementKernels;
import dev.vectorgrad.kernels.Parallel;
import java.lang.foreign.MemorySegment;

/**
 * max, min, amax, amin, argmax, argmin: reductions that pick elements, with their derivatives.
 *
 * <p>PyTorch's CPU rules, checked against PyTorch 1.13:
 * <ul>
 *   <li>NaN propagates: a slice holding NaN reduces to NaN, and its index is the first NaN's.
 *   <li>{@code max(dim)}, {@code argmax} and their min twins give the first occurrence on ties.
 *   <li>{@code max()} (all elements) splits its gradient evenly among the elements equal to the
 *       result (among the NaNs when it is NaN): {@code MaxBackward1}; {@code amax} splits it among
 *       each slice's ties ({@code AmaxBackward0}; a NaN slice gets NaN gradients, as PyTorch's
 *       {@code mask / count} gives); {@code max(dim)} sends it to the selected index
 *       ({@code MaxBackward0}).
 * </ul>
 */
final class Extrema {
  private Extrema() {}

  private static String name(boolean max) {
    return max ? "max" : "min";
  }

  private static IllegalArgumentException noDimForEmpty(String op, boolean specify) {
    return new IllegalArgumentException(op + "(): Expected reduction dim to be specified for input.numel() == 0."
        + (specify ? " Specify the reduction dim with the 'dim' argument." : ""));
  }

  private static IllegalArgumentException emptyDim(String op, Object dim) {
    return new IllegalArgumentException(op + "(): Expected reduction dim " + dim + " to have non-zero size.");
  }

  private static IllegalArgumentException notForBool(String op) {
    return new IllegalArgumentException("\"" + op + "_cpu\" not implemented for 'Bool'");
  }

  // ------------------------------------------------------------------ max(), min()

  /** {@code max()}/{@code min()}: a 0-dim tensor of t's dtype; NaN if any element is NaN. */
  static Tensor all(Tensor t, boolean max) {
    t.ensureOpen();
    if (t.numel == 0) throw noDimForEmpty(name(max), true);
    Tensor out = Tensor.empty(t.dtype, Shapes.SCALAR, 1);
    var ko = out.kernels();
    if (t.dtype.isFloatingPoint()) {
      double r = extreme(t, !max);
      ko.set(out.seg(), 0, r == 0 ? zeroAsTorchPicksIt(t, max) : r);
    } else {
      long[] r = {max ? Long.MIN_VALUE : Long.MAX_VALUE};
      var k = t.kernels();
      StridedLoop.of(t.shape, t).forEachIndex(0, i -> {
        long x = k.getLong(t.seg(), i);
        r[0] = max ? Math.max(r[0], x) : Math.min(r[0], x);
      });
      ko.setLong(out.seg(), 0, r[0]);
    }
    if (t.recordsGrad()) out.setHistory(new EvenBackward(max ? "MaxBackward1" : "MinBackward1", t, out));
    return out;
  }

  /**
   * Which zero, 0.0 or -0.0, PyTorch 1.13's {@code max()}/{@code min()} returns when the result is zero: the one its
   * AVX2 reduction ({@code vec::reduce_all} over {@code self.contiguous()}) ends on, where {@code _mm256_min_ps(a, b)}
   * and {@code _mm256_max_ps} return b for equal operands. Element i joins lane {@code i % W} (W = 8 float32 lanes,
   * 4 float64); below W elements, and for float64, lane 0 then takes the other lanes one by one; float32 lanes are
   * combined by halves (lanes i and i^4, then i^2, then i^1). Checked against torch on 20,000 random arrays of zeros
   * of both signs and positive values (FuzzRegressionTest.minAndMaxOfZerosPickTorchsZero).
   */
  private static double zeroAsTorchPicksIt(Tensor t, boolean max) {
    int w = t.dtype == DType.FLOAT32 ? 8 : 4;
    int lanes = (int) Math.min(w, t.numel);
    double[] acc = new double[lanes];
    try (Tensor c = Casts.contiguousAs(t, t.dtype)) {
      ElementKernels k = c.kernels();
      for (long i = 0; i < c.numel; i++) {
        double x = k.get(c.seg(), c.offset + i);
        int lane = (int) (i % w);
        acc[lane] = i < w ? x : pick(acc[lane], x, max);
      }
    }
    if (lanes < w || t.dtype != DType.FLOAT32) {
      double r = acc[0];
      for (int i = 1; i < lanes; i++) r = pick(r, acc[i], max);
      return r;
    }
    for (int half = 4; half >= 1; half /= 2) {
      double[] next = new double[w];
      for (int i = 0; i < w; i++) next[i] = pick(acc[i], acc[i ^ half], max);
      acc = next;
    }
    return acc[0];
  }

  /** {@code _mm256_max_ps(a, b)} / {@code _mm256_min_ps(a, b)} of non-NaN values: b unless a is strictly beyond it. */
  private static double pick(double a, double b, boolean max) {
    return (max ? a > b : a < b) ? a : b;
  }

  /** The largest (min: smallest) element of a non-empty floating point tensor, with the kernel's rules. */
  static double extreme(Tensor t, boolean min) {
    ElementKernels k = t.kernels();
    if (t.contiguous) return k.max(t.seg(), t.offset, t.numel, min);
    StridedLoop loop = StridedLoop.of(t.shape, t);
    long step = loop.innerStrides[0];
    double[] r = {Double.NaN};
    boolean[] first = {true};
    MemorySegment scratch = step == 1 ? null : java.lang.foreign.Arena.ofAuto().allocate(
        Math.min(loop.inner, Elementwise.CHUNK) * (long) k.elementBytes(), 64);
    loop.run(0, loop.rows, off -> {
      for (long c = 0; c < loop.inner; c += Elementwise.CHUNK) {
        long len = Math.min(Elementwise.CHUNK, loop.inner - c);
        double x;
        if (step == 1) {
          x = k.max(t.seg(), off[0] + c, len, min);
        } else {
          k.copyStrided(t.seg(), off[0] + c * step, step, scratch, 0, 1, len);
          x = k.max(scratch, 0, len, min);
        }
        if (first[0] || (min ? x <= r[0] : x >= r[0]) || x != x) r[0] = x;
        first[0] = false;
      }
    });
    return r[0];
  }

  /**
   * MaxBackward1 / MinBackward1 (PyTorch's {@code evenly_distribute_backward}): the gradient
   * divided by the number of elements equal to the result (NaNs when it is NaN), to each of them.
   */
  static final class EvenBackward extends Node {
    private final String name;
    private SavedTensor input, result;

    EvenBackward(String name, Tensor input, Tensor result) {
      super(input.gradEdge());
      this.name = name;
      this.input = new SavedTensor(input);
      this.result = new SavedTensor(result, this);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      checkNotReleased();
      Tensor x = input.get();
      double value = result.get().item();
      boolean nan = Double.isNaN(value);
      var k = x.kernels();
      long[] count = {0};
      StridedLoop.of(x.shape, x).forEachIndex(0, i -> {
        double v = k.get(x.seg(), i);
        if (nan ? Double.isNaN(v) : v == value) count[0]++;
      });
      double share = x.dtype.round(g.item() / count[0]);
      Tensor grad = Tensor.empty(x.dtype, x.shape, x.numel);
      Elementwise.map(grad, v -> (nan ? Double.isNaN(v) : v == value) ? share : 0, x);
      return new Tensor[] {grad};
    }

    @Override
    protected void releaseSaved() {
      input.release();
      result.release();
    }
  }

  // ------------------------------------------------------------------ max(dim), min(dim), argmax(dim)

  /** {@code max(dim, keepdim)} / {@code min(dim, keepdim)}: the values and their int64 indices. */
  static ValuesIndices alongDim(Tensor t, int dim, boolean keepdim, boolean max) {
    t.ensureOpen();
    int d = Shapes.normalizeDim(dim, t.shape.length);
    if (t.numel == 0 && t.shape.length > 0 && t.shape[d] == 0) throw emptyDim(name(max), d);
    ValuesIndices r = select(t, d, keepdim, max, true);
    if (t.recordsGrad()) {
      r.values().setHistory(new SelectBackward(max ? "MaxBackward0" : "MinBackward0", t, d, keepdim, r.indices()));
    }
    return r;
  }

  /**
   * {@code argmax(dim, keepdim)} / {@code argmin(dim, keepdim)}: the int64 indices of
   * {@link #alongDim}, with argmax's own messages (and bool refused, as PyTorch's argmax kernel).
   */
  static Tensor argAlongDim(Tensor t, int dim, boolean keepdim, boolean max) {
    t.ensureOpen();
    String op = max ? "argmax" : "argmin";
    int d = Shapes.normalizeDim(dim, t.shape.length);
    if (t.numel == 0 && t.shape.length > 0 && t.shape[d] == 0) throw emptyDim(op, d);
    if (t.dtype == DType.BOOL) throw notForBool(op);
    return select(t, d, keepdim, max, false).indices();
  }

  /** {@code argmax()} / {@code argmin()}: the row-major index of the first largest (smallest) element, 0-dim int64. */
  static Tensor argAll(Tensor t, boolean max) {
    t.ensureOpen();
    String op = max ? "argmax" : "argmin";
    if (t.numel == 0) throw noDimForEmpty(op, false);
    if (t.dtype == DType.BOOL) throw notForBool(op);
    try (Tensor c = Casts.contiguousAs(t, t.dtype);
         Tensor flat = c.alias(null, new long[] {t.numel}, new long[] {1}, c.offset)) {
      return select(flat, 0, false, max, false).indices();
    }
  }

  /**
   * The extreme along dim {@code d} of each line and its first index (PyTorch's rule: a value
   * replaces the best one unless it is {@code <=} it (max), so NaN replaces any number and then
   * ends the scan). Without {@code withValues} only the indices are made (values is null).
   */
  private static ValuesIndices select(Tensor t, int d, boolean keepdim, boolean max, boolean withValues) {
    int nd = t.shape.length;
    long[] kept = t.shape.clone();
    if (nd > 0) kept[d] = 1;
    long lines = Shapes.numel(kept);
    long size = nd == 0 ? 1 : t.shape[d];
    long step = nd == 0 ? 0 : t.strides[d];
    final Tensor values = withValues ? Tensor.empty(t.dtype, kept, lines) : null;
    final Tensor indices = Tensor.empty(DType.INT64, kept, lines);
    if (lines > 0) {
      boolean floating = t.dtype.isFloatingPoint();
      ElementKernels k = t.kernels(), kl = indices.kernels(), kv = withValues ? values.kernels() : null;
      try (Tensor base = t.alias(null, kept, t.strides, t.offset)) {
        StridedLoop loop = StridedLoop.of(kept, indices, base);
        long so = loop.innerStrides[0], si = loop.innerStrides[1];
        MemorySegment in = t.seg();
        // A contiguous line of a float tensor: the vector kernel finds the extreme, a scan its first index.
        boolean viaKernel = floating && step == 1 && size >= MIN_KERNEL_LINE;
        Parallel.forRows(loop.rows, loop.inner * size, (from, to) -> loop.run(from, to, off -> {
          ElementKernels sk = viaKernel ? Tensor.serialKernelsFor(t.dtype) : null;
          long o = off[0], b = off[1];
          for (long e = 0; e < loop.inner; e++, o += so, b += si) {
            long best = 0;
            if (viaKernel) {
              double m = sk.max(in, b, size, !max);
              boolean nan = m != m;
              while (nan ? !Double.isNaN(k.get(in, b + best)) : k.get(in, b + best) != m) best++;
              if (kv != null) kv.set(values.seg(), o, k.get(in, b + best));   // the first one, with its sign
            } else if (floating) {
              double m = k.get(in, b);
              if (!Double.isNaN(m)) {
                for (long j = 1, p = b + step; j < size; j++, p += step) {
                  double x = k.get(in, p);
                  if (max ? !(x <= m) : !(x >= m)) {
                    m = x;
                    best = j;
                    if (x != x) break;
                  }
                }
              }
              if (kv != null) kv.set(values.seg(), o, m);
            } else {
              long m = k.getLong(in, b);
              for (long j = 1, p = b + step; j < size; j++, p += step) {
                long x = k.getLong(in, p);
                if (max ? x > m : x < m) {
                  m = x;
                  best = j;
                }
              }
              if (kv != null) kv.setLong(values.seg(), o, m);
            }
            kl.setLong(indices.seg(), o, best);
          }
        }));
      }
    }
    if (keepdim || nd == 0) return new ValuesIndices(values, indices);
    long[] squeezed = dropDim(t.shape, d);
    Tensor v = values == null ? null : values.reshaped(null, squeezed);
    Tensor i = indices.reshaped(null, squeezed);
    if (values != null) values.close();
    indices.close();
    return new ValuesIndices(v, i);
  }

  /** Lines at least this long are searched with the vector max kernel first. */
  private static final long MIN_KERNEL_LINE = 16;

  private static long[] dropDim(long[] shape, int d) {
    long[] out = new long[shape.length - 1];
    for (int i = 0, j = 0; i < shape.length; i++) if (i != d) out[j++] = shape[i];
    return out;
  }

  /**
   * MaxBackward0 / MinBackward0 (PyTorch's {@code value_selecting_reduction_backward}): zeros of
   * the input's shape with each gradient element at its selected index along the dim. Saves the
   * indices (a later in-place change of them makes backward fail, as in PyTorch).
   */
  static final class SelectBackward extends Node {
    private final String name;
    private final long[] shape;
    private final DType dtype;
    private final int dim;
    private SavedTensor indices;

    SelectBackward(String name, Tensor input, int dim, boolean keepdim, Tensor indices) {
      super(input.gradEdge());
      this.name = name;
      this.shape = input.shape;
      this.dtype = input.dtype;
      this.dim = dim;
      this.indices = new SavedTensor(indices);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      checkNotReleased();
      Tensor idx = indices.get();
      if (shape.length == 0) return new Tensor[] {Casts.copyAs(g, dtype)};
      long size = shape[dim], inner = 1;
      for (int i = dim + 1; i < shape.length; i++) inner *= shape[i];
      Tensor grad = Tensor.zeros(dtype, shape);
      try (Tensor gc = Casts.contiguousAs(g, dtype); Tensor ic = Casts.contiguousAs(idx, DType.INT64)) {
        var k = grad.kernels();
        var ki = ic.kernels();
        long lines = gc.numel;
        for (long p = 0; p < lines; p++) {
          long o = p / inner, i = p % inner;
          long at = (o * size + ki.getLong(ic.seg(), ic.offset + p)) * inner + i;
          k.set(grad.seg(), at, k.get(gc.seg(), gc.offset + p));
        }
      }
      return new Tensor[] {grad};
    }

    @Override
    protected void releaseSaved() {
      indices.release();
    }
  }

  // ------------------------------------------------------------------ amax, amin

  /**
   * {@code amax(dims, keepdim)} / {@code amin(dims, keepdim)}: NaN propagates; of equal values (zeros
   * of both signs) the first is kept in short slices, as PyTorch's scalar loop keeps it.
   */
  static Tensor amax(Tensor t, int[] dims, boolean keepdim, boolean max) {
    t.ensureOpen();
    String op = max ? "amax" : "amin";
    int nd = t.shape.length;
    for (int d : dims) {   // PyTorch checks each dim, in the order given, before looking for repeats
      int n = Shapes.normalizeDim(d, nd);
      if (t.numel == 0 && nd > 0 && t.shape[n] == 0) throw emptyDim(op, d);
    }
    if (t.numel == 0 && dims.length == 0) throw noDimForEmpty(op, true);
    boolean[] reduce = Slices.mask(dims, nd);
    Tensor out;
    try (Slices s = Slices.of(t, reduce, keepdim)) {
      if (t.dtype == DType.INT64 || t.dtype == DType.BOOL) {
        out = t.dtype == DType.INT64
            ? s.mapLong(t.dtype, i -> {
                long m = s.getLong(i, 0);
                for (long j = 1; j < s.length; j++) m = max ? Math.max(m, s.getLong(i, j)) : Math.min(m, s.getLong(i, j));
                return m;
              })
            : s.map(t.dtype, (sl, i) -> {
                double m = sl.get(i, 0);
                for (long j = 1; j < sl.length; j++) m = max ? Math.max(m, sl.get(i, j)) : Math.min(m, sl.get(i, j));
                return m;
              });
      } else if (s.inPlace && s.length >= MIN_KERNEL_LINE) {
        // Long contiguous slices: the vector kernel (NaN propagates; among equal zeros the later one
        // wins, as in PyTorch's vectorized reduction).
        out = s.map(t.dtype, (sl, i) -> Tensor.serialKernelsFor(sl.dtype).max(sl.segment, sl.offset + i * sl.length, sl.length, !max));
      } else {
        out = s.map(t.dtype, (sl, i) -> {
          double m = sl.get(i, 0);
          for (long j = 1; j < sl.length && m == m; j++) {
            double x = sl.get(i, j);
            if (x != x || (max ? m < x : x < m)) m = x;   // std::max(m, x): m unless m < x
          }
          return m;
        });
      }
    }
    if (t.recordsGrad()) {
      out.setHistory(new TiesBackward(max ? "AmaxBackward0" : "AminBackward0", t, out, Slices.shapeOf(t, reduce, keepdim)));
    }
    return out;
  }

  /**
   * AmaxBackward0 / AminBackward0 (PyTorch's {@code scale_grad_by_count}): with
   * {@code mask = (input == result)}, the gradient {@code (g / mask.sum(dims)) * mask}.
   */
  static final class TiesBackward extends Node {
    private final String name;
    private final Slices geometry;
    private SavedTensor input, result;

    TiesBackward(String name, Tensor input, Tensor result, Slices geometry) {
      super(input.gradEdge());
      this.name = name;
      this.geometry = geometry;
      this.input = new SavedTensor(input);
      this.result = new SavedTensor(result, this);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      checkNotReleased();
      Tensor x = input.get();
      DType dtype = x.dtype;
      try (Tensor r = geometry.kept(result.get()); Tensor gk = geometry.kept(g);
           Tensor mask = Tensor.empty(dtype, x.shape, x.numel)) {
        Elementwise.map(mask, (v, m) -> v == m ? 1 : 0, x, r);
        try (Tensor count = Reductions.sumDims(mask, geometry.reduce);
             Tensor share = Tensor.empty(dtype, geometry.keptShape)) {
          Elementwise.map(share, (gv, c) -> gv / c, gk, count);
          Tensor grad = Tensor.empty(dtype, x.shape, x.numel);
          Elementwise.map(grad, (s, m) -> s * m, share, mask);
          return new Tensor[] {grad};
        }
      }
    }

    @Override
    protected void releaseSaved() {
      input.release();
      result.release();
    }
  }
}
