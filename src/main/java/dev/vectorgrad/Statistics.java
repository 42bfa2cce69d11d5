package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.autograd.SavedTensor;
import dev.vectorgrad.kernels.ElementKernels;
import dev.vectorgrad.kernels.Parallel;

/**
 * prod, var, std, logsumexp, norm, cumsum, all, any, count_nonzero, with their derivatives.
 *
 * <p>Forward values follow PyTorch's CPU kernels where their arithmetic shows: products are
 * rounded step by step in the element type (so a float32 product overflows where PyTorch's
 * does), var/std accumulate in double (as PyTorch's Welford in double) and divide by
 * {@code max(0, N - correction)}, cumsum runs in double and rounds each output (PyTorch's
 * accumulate type), norms round each {@code |x|^p} and their sum to the element type before the
 * root (a float32 norm overflows and underflows as PyTorch's). Derivatives follow PyTorch 1.13's
 * {@code derivatives.yaml}, including its choices at zeros, ties, NaN and {@code N <= correction}.
 */
final class Statistics {
  private Statistics() {}

  // ------------------------------------------------------------------ prod

  /** {@code prod()}: 0-dim; int64 and bool give int64 (wrapping as PyTorch's). */
  static Tensor prod(Tensor t) {
    t.ensureOpen();
    ElementKernels k = t.kernels();
    if (!t.dtype.isFloatingPoint()) {
      long[] r = {1};
      if (t.numel > 0) StridedLoop.of(t.shape, t).forEachIndex(0, i -> r[0] *= k.getLong(t.seg(), i));
      Tensor out = Tensor.empty(DType.INT64, Shapes.SCALAR, 1);
      out.kernels().setLong(out.seg(), 0, r[0]);
      return out;
    }
    DType dtype = t.dtype;
    double r = 1;
    if (t.contiguous) {
      r = contiguousProd(t);
    } else if (t.numel > 0) {
      double[] acc = {1};
      StridedLoop.of(t.shape, t).forEachIndex(0, i -> acc[0] = dtype.round(acc[0] * k.get(t.seg(), i)));
      r = acc[0];
    }
    Tensor out = Tensor.empty(dtype, Shapes.SCALAR, 1);
    out.kernels().set(out.seg(), 0, r);
    if (t.recordsGrad()) out.setHistory(new ProdBackward(t, out));
    return out;
  }

  /**
   * The product of a contiguous float tensor in its element type: one running product below 16
   * elements (as PyTorch's scalar loop), else one per lane of PyTorch's AVX2 vector (8 floats, 4
   * doubles) combined in lane order, so that an intermediate overflow or underflow happens where
   * PyTorch's does and the multiplications pipeline.
   */
  private static double contiguousProd(Tensor t) {
    var seg = t.seg();
    long n = t.numel, off = t.offset;
    if (t.dtype == DType.FLOAT32) {
      var layout = java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
      if (n < 16) {
        float p = 1;
        for (long i = 0; i < n; i++) p *= seg.getAtIndex(layout, off + i);
        return p;
      }
      float[] lane = new float[8];
      java.util.Arrays.fill(lane, 1);
      long i = 0;
      for (long bound = n - n % 8; i < bound; i += 8) {
        for (int l = 0; l < 8; l++) lane[l] *= seg.getAtIndex(layout, off + i + l);
      }
      for (int l = 0; i < n; i++, l++) lane[l] *= seg.getAtIndex(layout, off + i);
      float p = lane[0];
      for (int l = 1; l < 8; l++) p *= lane[l];
      return p;
    }
    var layout = java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;
    if (n < 16) {
      double p = 1;
      for (long i = 0; i < n; i++) p *= seg.getAtIndex(layout, off + i);
      return p;
    }
    double[] lane = {1, 1, 1, 1};
    long i = 0;
    for (long bound = n - n % 4; i < bound; i += 4) {
      for (int l = 0; l < 4; l++) lane[l] *= seg.getAtIndex(layout, off + i + l);
    }
    for (int l = 0; i < n; i++, l++) lane[l] *= seg.getAtIndex(layout, off + i);
    return ((lane[0] * lane[1]) * lane[2]) * lane[3];
  }

  /**
   * ProdBackward0 (PyTorch's {@code prod_backward}): without zeros {@code g * (result / x)};
   * with one zero the product of the other elements (exclusive running products from both ends,
   * accumulated in double as PyTorch's cumprod), with several zeros zeros.
   */
  static final class ProdBackward extends Node {
    private SavedTensor input, result;

    ProdBackward(Tensor input, Tensor result) {
      super(input.gradEdge());
      this.input = new SavedTensor(input);
      this.result = new SavedTensor(result, this);
    }

    @Override
    public String name() {
      return "ProdBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      checkNotReleased();
      Tensor x = input.get();
      double r = result.get().item();
      if (x.shape.length == 0) return new Tensor[] {Casts.copyAs(g, x.dtype)};
      DType dtype = x.dtype;
      double gv = g.item();
      try (Tensor xc = Casts.contiguousAs(x, dtype)) {
        ElementKernels k = xc.kernels();
        long n = xc.numel, zeros = 0;
        for (long i = 0; i < n; i++) if (k.get(xc.seg(), xc.offset + i) == 0) zeros++;
        Tensor grad = Tensor.empty(dtype, x.shape, n);
        if (zeros == 0) {
          Elementwise.map(grad, v -> gv * dtype.round(r / v), xc);
        } else if (zeros > 1) {
          Elementwise.fill(grad, 0);
        } else {
          double before = 1;
          for (long i = 0; i < n; i++) {
            k.set(grad.seg(), i, before);
            before *= k.get(xc.seg(), xc.offset + i);
          }
          double after = 1;
          for (long i = n - 1; i >= 0; i--) {
            double both = dtype.round(k.get(grad.seg(), i) * dtype.round(after));
            k.set(grad.seg(), i, gv * both);
            after *= k.get(xc.seg(), xc.offset + i);
          }
        }
        return new Tensor[] {grad};
      }
    }

    @Override
    protected void releaseSaved() {
      input.release();
      result.release();
    }
  }

  // ------------------------------------------------------------------ var, std

  /**
   * {@code var(dims, correction, keepdim)} / {@code std(...)}: the squared deviations summed in
   * double, divided by {@code max(0, N - correction)}; NaN for an empty reduction.
   */
  static Tensor var(Tensor t, int[] dims, long correction, boolean keepdim, boolean std) {
    t.ensureOpen();
    if (!t.dtype.isFloatingPoint()) {
      throw new IllegalArgumentException("std and var only support floating point and complex dtypes");
    }
    boolean[] reduce = Slices.mask(dims, t.shape.length);
    Tensor out;
    long n;
    try (Slices s = Slices.of(t, reduce, keepdim)) {
      n = s.length;
      double divisor = Math.max(0.0, (double) n - (double) correction);
      DType dtype = t.dtype;
      boolean single = s.count == 1;
      out = s.map(dtype, (sl, i) -> {
        if (sl.length == 0) return Double.NaN;   // PyTorch fills an empty reduction with NaN
        double sum = 0;
        for (long j = 0; j < sl.length; j++) sum += sl.get(i, j);
        // One result: PyTorch's two-pass CPU path around the mean as the tensor's dtype rounds it
        // (t.mean()); several: its Welford reduction in double.
        double mean = single ? dtype.round(dtype.round(sum) / sl.length) : sum / sl.length, m2 = 0;
        for (long j = 0; j < sl.length; j++) {
          double d = sl.get(i, j) - mean;
          m2 += d * d;
        }
        double v = m2 / divisor;
        return std ? Math.sqrt(v) : v;
      });
    }
    if (t.recordsGrad()) out.setHistory(new VarBackward(std, t, out, Slices.shapeOf(t, reduce, keepdim), n - correction));
    return out;
  }

  /**
   * VarBackward0 (PyTorch's {@code var_backward}): {@code (2 / (N - correction)) * g * (x - mean)};
   * StdBackward0 first turns g into {@code g / (2 * std)} (0 where std is 0). PyTorch 1.13 gives a
   * 0-dim input with {@code N == correction} the gradient {@code inf * g}, which is kept; for a
   * larger input reduced over all dims with {@code N == correction} its backward fails (it returns
   * a 0-dim gradient), and here the formula's value ({@code ±inf}, NaN where x equals the mean) is
   * returned instead, as for the same case over explicit dims.
   */
  static final class VarBackward extends Node {
    private final boolean std;
    private final Slices geometry;
    private final long dof;
    private SavedTensor input, result;

    VarBackward(boolean std, Tensor input, Tensor result, Slices geometry, long dof) {
      super(input.gradEdge());
      this.std = std;
      this.geometry = geometry;
      this.dof = dof;
      this.input = new SavedTensor(input);
      this.result = std ? new SavedTensor(result, this) : null;
    }

    @Override
    public String name() {
      return std ? "StdBackward0" : "VarBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      checkNotReleased();
      Tensor x = input.get();
      DType dtype = x.dtype;
      Tensor gv = g;
      if (std) {
        gv = Tensor.empty(dtype, g.shape);
        Elementwise.map(gv, (a, r) -> r == 0 ? 0 : a / dtype.round(r * 2), g, result.get());
      }
      try {
        if (x.shape.length == 0 && dof == 0) {
          Tensor grad = Tensor.empty(dtype, Shapes.SCALAR, 1);
          Elementwise.map(grad, a -> a * Double.POSITIVE_INFINITY, gv);
          return new Tensor[] {grad};
        }
        try (Tensor gk = geometry.kept(gv);
             Tensor mean = x.mean(geometry.reducedDims(), true);
             Tensor diff = x.sub(mean);
             Tensor scaled = gk.mul(2.0 / dof)) {
          return new Tensor[] {scaled.mul(diff)};
        }
      } finally {
        if (gv != g) gv.close();
      }
    }

    @Override
    protected void releaseSaved() {
      input.release();
      if (result != null) result.release();
    }
  }

  // ------------------------------------------------------------------ logsumexp

  /**
   * {@code logsumexp(dims, keepdim)}: {@code m + log(sum(exp(x - m)))} with m the slice maximum
   * (0 when infinite, as PyTorch, so all -inf gives -inf and +inf gives +inf); integer and bool
   * inputs compute in float32. Long contiguous slices run softmax's kernels ({@code exp(x - m)} in
   * the element type, as PyTorch), others an element loop in double. An empty dims list reduces
   * all dims (PyTorch 1.13 fails there with an internal shape error).
   */
  static Tensor logsumexp(Tensor t, int[] dims, boolean keepdim) {
    t.ensureOpen();
    DType dtype = t.dtype.isFloatingPoint() ? t.dtype : DType.FLOAT32;
    boolean[] reduce = Slices.mask(dims, t.shape.length);
    Tensor out;
    try (Slices s = Slices.of(t, reduce, keepdim)) {
      if (s.inPlace && t.dtype.isFloatingPoint() && s.length >= 16) {
        // Long contiguous slices: the softmax kernels, exp(x - m) in the element type (as PyTorch).
        out = s.map(dtype, (sl, i) -> {
          var k = Tensor.serialKernelsFor(sl.dtype);
          long at = sl.offset + i * sl.length;
          double m = k.max(sl.segment, at, sl.length, false);
          if (m != m) return Double.NaN;
          if (Double.isInfinite(m)) m = 0;
          return Math.log(k.sumExpShift(sl.segment, at, m, sl.length)) + m;
        });
      } else {
        out = s.map(dtype, (sl, i) -> {
          long n = sl.length;
          double m = Double.NEGATIVE_INFINITY;
          for (long j = 0; j < n; j++) {
            double x = sl.get(i, j);
            if (x != x) return Double.NaN;
            if (x > m) m = x;
          }
          if (Double.isInfinite(m)) m = 0;
          double sum = 0;
          for (long j = 0; j < n; j++) sum += Math.exp(sl.get(i, j) - m);
          return Math.log(sum) + m;
        });
      }
    }
    if (t.recordsGrad()) out.setHistory(new LogsumexpBackward(t, out, Slices.shapeOf(t, reduce, keepdim)));
    return out;
  }

  /** LogsumexpBackward0: {@code g * exp(x - result)}. */
  static final class LogsumexpBackward extends Node {
    private final Slices geometry;
    private SavedTensor input, result;

    LogsumexpBackward(Tensor input, Tensor result, Slices geometry) {
      super(input.gradEdge());
      this.geometry = geometry;
      this.input = new SavedTensor(input);
      this.result = new SavedTensor(result, this);
    }

    @Override
    public String name() {
      return "LogsumexpBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      checkNotReleased();
      Tensor x = input.get();
      try (Tensor r = geometry.kept(result.get()); Tensor gk = geometry.kept(g);
           Tensor d = x.sub(r); Tensor e = d.exp()) {
        return new Tensor[] {e.mul(gk)};
      }
    }

    @Override
    protected void releaseSaved() {
      input.release();
      result.release();
    }
  }

  // ------------------------------------------------------------------ norm

  /**
   * {@code norm(p, dims, keepdim)}: p = 2 (Euclidean), 1, +-inf (max/min of |x|), 0 (number of
   * nonzero elements), or any other p ({@code (sum |x|^p)^(1/p)}). An empty slice has norm 0 for
   * every p (as PyTorch 1.13). Recorded as NormBackward1, PyTorch 1.13's node for
   * {@code Tensor.norm} with or without dims.
   */
  static Tensor norm(Tensor t, double p, int[] dims, boolean keepdim) {
    t.ensureOpen();
    if (!t.dtype.isFloatingPoint()) {
      throw new IllegalArgumentException("norm(): input dtype should be either floating point or complex. Got "
          + t.dtype.scalarTypeName() + " instead.");
    }
    DType dtype = t.dtype;
    boolean[] reduce = Slices.mask(dims, t.shape.length);
    Tensor out;
    try (Slices s = Slices.of(t, reduce, keepdim)) {
      out = s.map(dtype, (sl, i) -> normOf(sl, i, p, dtype));
    }
    if (t.recordsGrad()) out.setHistory(new NormBackward(t, out, p, Slices.shapeOf(t, reduce, keepdim)));
    return out;
  }

  private static double normOf(Slices s, long i, double p, DType dtype) {
    long n = s.length;
    if (n == 0) return 0;
    if (Double.isInfinite(p)) {
      double m = Math.abs(s.get(i, 0));
      for (long j = 0; j < n && m == m; j++) {
        double a = Math.abs(s.get(i, j));
        if (a != a || (p > 0 ? a > m : a < m)) m = a;
      }
      return m;
    }
    if (p == 0) {
      long c = 0;
      for (long j = 0; j < n; j++) if (s.get(i, j) != 0) c++;   // NaN counts: it is not zero
      return c;
    }
    double sum = 0;
    if (p == 1) {
      for (long j = 0; j < n; j++) sum += Math.abs(s.get(i, j));
      return sum;
    }
    if (p == 2) {
      for (long j = 0; j < n; j++) {
        double x = s.get(i, j);
        sum += dtype.round(x * x);
      }
      return Math.sqrt(dtype.round(sum));
    }
    for (long j = 0; j < n; j++) sum += dtype.round(Math.pow(Math.abs(s.get(i, j)), p));
    return Math.pow(dtype.round(sum), 1 / p);
  }

  private static double sign(double x) {
    return x > 0 ? 1 : x < 0 ? -1 : 0;   // 0 for NaN, as PyTorch's sgn of a real tensor
  }

  /**
   * NormBackward1 (PyTorch 1.13's {@code norm_backward}): no gradient for p = 0; {@code sgn(x) g}
   * for p = 1; {@code g x / norm} (0 where the norm is 0) for p = 2; for +-inf the gradient split
   * evenly among the elements whose |x| is the norm; otherwise {@code sgn(x) |x|^(p-1) g /
   * norm^(p-1)} in PyTorch's three groupings (p &lt; 1, 1 &lt; p &lt; 2, p &gt; 2).
   */
  static final class NormBackward extends Node {
    private final double p;
    private final Slices geometry;
    private SavedTensor input, result;

    NormBackward(Tensor input, Tensor result, double p, Slices geometry) {
      super(input.gradEdge());
      this.p = p;
      this.geometry = geometry;
      this.input = new SavedTensor(input);
      this.result = new SavedTensor(result, this);
    }

    @Override
    public String name() {
      return "NormBackward1";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      checkNotReleased();
      Tensor x = input.get();
      if (p == 0) return new Tensor[] {null};
      DType dtype = x.dtype;
      Tensor grad = Tensor.empty(dtype, x.shape, x.numel);
      try (Tensor nk = geometry.kept(result.get()); Tensor gk = geometry.kept(g)) {
        if (p == 1) {
          map3(grad, (xv, gv, nv) -> sign(xv) * gv, x, gk, nk);
        } else if (p == 2) {
          map3(grad, (xv, gv, nv) -> gv * (nv == 0 ? 0 : dtype.round(xv / nv)), x, gk, nk);
        } else if (Double.isInfinite(p)) {
          try (Tensor mask = Tensor.empty(dtype, x.shape, x.numel)) {
            Elementwise.map(mask, (xv, nv) -> Math.abs(xv) == nv || xv != xv ? 1 : 0, x, nk);
            try (Tensor count = Reductions.sumDims(mask, geometry.reduce)) {
              map3(grad, (xv, gv, c) -> sign(xv) * dtype.round(gv / c), x, gk, count);
              Elementwise.map(grad, (gr, m) -> gr * m, grad, mask);
            }
          }
        } else if (p < 1) {
          map3(grad, (xv, gv, nv) -> {
            double scaled = xv == 0 ? 0 : sign(xv) * dtype.round(Math.pow(Math.abs(xv), p - 1));
            return dtype.round(scaled * gv) * dtype.round(Math.pow(nv, 1 - p));
          }, x, gk, nk);
        } else if (p < 2) {
          map3(grad, (xv, gv, nv) -> {
            double scaled = sign(xv) * dtype.round(Math.pow(Math.abs(xv), p - 1));
            return scaled * (nv == 0 ? 0 : dtype.round(gv / dtype.round(Math.pow(nv, p - 1))));
          }, x, gk, nk);
        } else {
          map3(grad, (xv, gv, nv) -> {
            double scaled = dtype.round(xv * dtype.round(Math.pow(Math.abs(xv), p - 2)));
            return scaled * (nv == 0 ? 0 : dtype.round(gv / dtype.round(Math.pow(nv, p - 1))));
          }, x, gk, nk);
        }
      }
      return new Tensor[] {grad};
    }

    @Override
    protected void releaseSaved() {
      input.release();
      result.release();
    }
  }

  /** A function of three doubles. */
  @FunctionalInterface
  interface Ternary {
    double apply(double a, double b, double c);
  }

  /** {@code out[i] = f(a[i], b[i], c[i])} in double, operands broadcast to out, the result rounded to out's dtype. */
  static void map3(Tensor out, Ternary f, Tensor a, Tensor b, Tensor c) {
    if (out.numel == 0) return;
    ElementKernels ko = out.kernels(), ka = a.kernels(), kb = b.kernels(), kc = c.kernels();
    StridedLoop loop = StridedLoop.of(out.shape, out, a, b, c);
    long so = loop.innerStrides[0], sa = loop.innerStrides[1], sb = loop.innerStrides[2], sc = loop.innerStrides[3];
    Parallel.forRows(loop.rows, loop.inner * 4, (from, to) -> loop.run(from, to, off -> {
      long o = off[0], i = off[1], j = off[2], l = off[3];
      for (long e = 0; e < loop.inner; e++, o += so, i += sa, j += sb, l += sc) {
        ko.set(out.seg(), o, f.apply(ka.get(a.seg(), i), kb.get(b.seg(), j), kc.get(c.seg(), l)));
      }
    }));
  }

  // ------------------------------------------------------------------ cumsum

  /** {@code cumsum(dim)}: running sums in double rounded per output; int64 and bool give exact int64. */
  static Tensor cumsum(Tensor t, int dim) {
    t.ensureOpen();
    int d = Shapes.normalizeDim(dim, t.shape.length);
    DType dtype = t.dtype.isFloatingPoint() ? t.dtype : DType.INT64;
    Tensor out = Tensor.empty(dtype, t.shape, t.numel);
    runningSum(t, out, d, false);
    if (t.recordsGrad()) out.setHistory(new CumsumBackward(t, d));
    return out;
  }

  /** {@code dst} = running sums of {@code src} along dim d (from the end when {@code reverse}); dst is contiguous. */
  private static void runningSum(Tensor src, Tensor dst, int d, boolean reverse) {
    if (dst.numel == 0) return;
    int nd = src.shape.length;
    if (nd == 0) {   // PyTorch copies a 0-dim input (its cumsum keeps -0.0; a running sum from +0 would not)
      Casts.convert(src, dst);
      return;
    }
    long[] kept = src.shape.clone();
    if (nd > 0) kept[d] = 1;
    long size = nd == 0 ? 1 : src.shape[d];
    long ss = nd == 0 ? 0 : src.strides[d], ds = nd == 0 ? 0 : dst.strides[d];
    boolean floating = dst.dtype.isFloatingPoint();
    ElementKernels ki = src.kernels(), ko = dst.kernels();
    try (Tensor sb = src.alias(null, kept, src.strides, src.offset);
         Tensor db = dst.alias(null, kept, dst.strides, dst.offset)) {
      StridedLoop loop = StridedLoop.of(kept, db, sb);
      long so = loop.innerStrides[0], si = loop.innerStrides[1];
      long first = reverse ? size - 1 : 0, dir = reverse ? -1 : 1;
      Parallel.forRows(loop.rows, loop.inner * size, (from, to) -> loop.run(from, to, off -> {
        long o = off[0], i = off[1];
        for (long e = 0; e < loop.inner; e++, o += so, i += si) {
          long pi = i + first * ss, po = o + first * ds;
          if (floating) {
            double acc = 0;
            for (long j = 0; j < size; j++, pi += dir * ss, po += dir * ds) {
              acc += ki.get(src.seg(), pi);
              ko.set(dst.seg(), po, acc);
            }
          } else {
            long acc = 0;
            for (long j = 0; j < size; j++, pi += dir * ss, po += dir * ds) {
              acc += ki.getLong(src.seg(), pi);
              ko.setLong(dst.seg(), po, acc);
            }
          }
        }
      }));
    }
  }

  /** CumsumBackward0: the gradient's running sums from the end (PyTorch's {@code reversed_cumsum}). */
  static final class CumsumBackward extends Node {
    private final int dim;
    private final long[] shape;
    private final DType dtype;

    CumsumBackward(Tensor input, int dim) {
      super(input.gradEdge());
      this.dim = dim;
      this.shape = input.shape;
      this.dtype = input.dtype;
    }

    @Override
    public String name() {
      return "CumsumBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      if (Shapes.numel(shape) <= 1 || shape[dim] == 1) return new Tensor[] {Casts.copyAs(g, dtype)};
      Tensor grad = Tensor.empty(dtype, shape);
      runningSum(g, grad, dim, true);
      return new Tensor[] {grad};
    }
  }

  // ------------------------------------------------------------------ all, any, count_nonzero

  /** {@code all()} / {@code any()}: a 0-dim bool; NaN counts as nonzero; empty: all true, any false. */
  static Tensor all(Tensor t, boolean all) {
    t.ensureOpen();
    boolean[] r = {all};
    if (t.numel > 0) {
      ElementKernels k = t.kernels();
      boolean floating = t.dtype.isFloatingPoint();
      StridedLoop.of(t.shape, t).forEachIndex(0, i -> {
        if (r[0] != all) return;   // decided
        boolean nonzero = floating ? k.get(t.seg(), i) != 0 : k.getLong(t.seg(), i) != 0;
        if (nonzero != all) r[0] = !all;
      });
    }
    Tensor out = Tensor.empty(DType.BOOL, Shapes.SCALAR, 1);
    out.kernels().setLong(out.seg(), 0, r[0] ? 1 : 0);
    return out;
  }

  /** {@code count_nonzero(dims)}: int64 counts over dims (all when none are given). */
  static Tensor countNonzero(Tensor t, int[] dims) {
    t.ensureOpen();
    boolean[] reduce = Slices.mask(dims, t.shape.length);
    boolean integral = t.dtype == DType.INT64;
    try (Slices s = Slices.of(t, reduce, false)) {
      return s.mapLong(DType.INT64, i -> {
        long c = 0;
        for (long j = 0; j < s.length; j++) if (integral ? s.getLong(i, j) != 0 : s.get(i, j) != 0) c++;
        return c;
      });
    }
  }
}
