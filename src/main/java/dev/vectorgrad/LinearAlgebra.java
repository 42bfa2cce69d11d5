package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.autograd.SavedTensor;
import dev.vectorgrad.kernels.Gemm;
import dev.vectorgrad.kernels.Kernels;

/**
 * Matrix products: mm, bmm, mv, dot, outer, addmm, matmul (PyTorch's dispatch over ranks) and
 * linear, with their derivatives. Every product ends in one GEMM call per matrix
 * ({@link Gemm}: packed, register-blocked, multi-threaded) that reads its operands through their
 * strides, so a transposed view ({@code w.t()}, the backward's {@code a.t().mm(g)}) is never copied.
 */
final class LinearAlgebra {
  private LinearAlgebra() {}

  // ------------------------------------------------------------------ the GEMM call

  /** {@code out = alpha * a @ b + beta * out} for 2-D views (out contiguous or not); not recorded. */
  static void gemm(Tensor a, Tensor b, Tensor out, double alpha, double beta) {
    gemm(a, false, b, false, out, alpha, beta);
  }

  /**
   * {@link #gemm(Tensor, Tensor, Tensor, double, double)} with {@code a} read as {@code a.t()} when
   * {@code ta} and {@code b} as {@code b.t()} when {@code tb}: the strides swapped in the call, so
   * a backward pass makes no transposed view objects for its products.
   */
  static void gemm(Tensor a, boolean ta, Tensor b, boolean tb, Tensor out, double alpha, double beta) {
    int ar = ta ? 1 : 0, br = tb ? 1 : 0;   // which dim of each operand is its row dim
    int m = Math.toIntExact(a.shape[ar]), k = Math.toIntExact(a.shape[1 - ar]), n = Math.toIntExact(b.shape[1 - br]);
    long aRow = a.strides[ar], aCol = a.strides[1 - ar], bRow = b.strides[br], bCol = b.strides[1 - br];
    switch (out.dtype) {
      case FLOAT32, FLOAT64 -> {
        Gemm g = out.dtype == DType.FLOAT32 ? Kernels.gemmFloat32() : Kernels.gemmFloat64();
        g.gemm(m, n, k, alpha, a.seg(), a.offset, aRow, aCol, b.seg(), b.offset, bRow, bCol,
            beta, out.seg(), out.offset, out.strides[0], out.strides[1]);
      }
      case INT64 -> {   // exact long arithmetic, as PyTorch's integer mm
        var ka = a.kernels();
        var kb = b.kernels();
        var ko = out.kernels();
        long al = (long) alpha, be = (long) beta;
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            long s = 0;
            for (int p = 0; p < k; p++) {
              s += ka.getLong(a.seg(), a.offset + i * aRow + p * aCol) * kb.getLong(b.seg(), b.offset + p * bRow + j * bCol);
            }
            long o = out.offset + i * out.strides[0] + j * out.strides[1];
            ko.setLong(out.seg(), o, al * s + (be == 0 ? 0 : be * ko.getLong(out.seg(), o)));
          }
        }
      }
      case BOOL -> throw new IllegalArgumentException("\"addmm_impl_cpu_\" not implemented for 'Bool'");
    }
  }

  /** {@code m.t()} as an unrecorded view (the caller keeps m alive while the view is read). */
  private static Tensor transposed(Tensor m) {
    return m.alias(null, new long[] {m.shape[1], m.shape[0]}, new long[] {m.strides[1], m.strides[0]}, m.offset);
  }

  /** The 2-D matrix {@code index} of a 3-D tensor (a view without a reference: the caller keeps t alive). */
  private static Tensor matrix(Tensor t, long index) {
    return t.alias(null, new long[] {t.shape[1], t.shape[2]}, new long[] {t.strides[1], t.strides[2]},
        t.offset + index * t.strides[0]);
  }

  private static void checkSameType(Tensor a, Tensor b) {
    if (a.dtype != b.dtype) {
      throw new IllegalArgumentException("expected scalar type " + a.dtype.scalarTypeName() + " but found "
          + b.dtype.scalarTypeName());
    }
  }

  // ------------------------------------------------------------------ mm, bmm

  static Tensor mm(Tensor a, Tensor b) {
    a.ensureOpen();
    b.ensureOpen();
    if (a.shape.length != 2) throw new IllegalArgumentException("self must be a matrix");
    if (b.shape.length != 2) throw new IllegalArgumentException("mat2 must be a matrix");
    if (a.shape[1] != b.shape[0]) {
      throw new IllegalArgumentException("mat1 and mat2 shapes cannot be multiplied (" + a.shape[0] + "x" + a.shape[1]
          + " and " + b.shape[0] + "x" + b.shape[1] + ")");
    }
    checkSameType(a, b);
    Tensor out = Tensor.empty(a.dtype, new long[] {a.shape[0], b.shape[1]});
    gemm(a, b, out, 1, 0);
    if ((a.requiresGrad() || b.requiresGrad()) && ThreadState.current().gradEnabled) {
      out.setHistory(new MmBackward("MmBackward0", a, b, 1));
    }
    return out;
  }

  /**
   * MmBackward0 (and AddmmBackward0's matrix part): {@code ga = g b^T}, {@code gb = a^T g}, times alpha.
   * As PyTorch's {@code mm_mat1_backward}/{@code mm_mat2_backward}, a gradient whose input was
   * column-major (a transposed contiguous matrix, e.g. the {@code w.t()} of {@code linear}) is
   * computed column-major too: {@code gb = (g^T a)^T}. The same products summed in the same order,
   * but after {@code TBackward0} the weight's gradient arrives contiguous, so accumulating it is a
   * straight copy rather than a transposing gather.
   */
  static class MmBackward extends Node {
    private final String name;
    private final SavedTensor a, b;
    private final double alpha;
    private final boolean aColumnMajor, bColumnMajor;

    MmBackward(String name, Tensor a, Tensor b, double alpha, Node... extraEdges) {
      super(edges(a, b, extraEdges));
      this.name = name;
      this.alpha = alpha;
      int off = extraEdges.length;
      this.b = needsInputGrad(off) ? new SavedTensor(b) : null;
      this.a = needsInputGrad(off + 1) ? new SavedTensor(a) : null;
      this.aColumnMajor = columnMajor(a);
      this.bColumnMajor = columnMajor(b);
    }

    /** PyTorch's test: {@code strides[0] == 1 && strides[1] == sizes[0]}. */
    private static boolean columnMajor(Tensor m) {
      return m.strides[0] == 1 && m.strides[1] == m.shape[0] && m.shape[0] > 1 && m.shape[1] > 1;
    }

    private static Node[] edges(Tensor a, Tensor b, Node[] extra) {
      Node[] e = new Node[extra.length + 2];
      System.arraycopy(extra, 0, e, 0, extra.length);
      e[extra.length] = a.gradEdge();
      e[extra.length + 1] = b.gradEdge();
      return e;
    }

    @Override
    public String name() {
      return name;
    }

    /** The two matrix gradients, at {@code grads[off]} and {@code grads[off + 1]}. */
    void matrixGrads(Tensor g, Tensor[] grads, int off) {
      if (needsInputGrad(off)) {
        Tensor bm = b.get();   // (b g^T)^T or g b^T
        grads[off] = aColumnMajor ? productTransposed(bm, false, g, true) : product(g, false, bm, true);
      }
      if (needsInputGrad(off + 1)) {
        Tensor am = a.get();   // (g^T a)^T or a^T g
        grads[off + 1] = bColumnMajor ? productTransposed(g, true, am, false) : product(am, true, g, false);
      }
    }

    /** {@code alpha * x @ y} (each operand transposed where flagged), a new contiguous matrix. */
    private Tensor product(Tensor x, boolean tx, Tensor y, boolean ty) {
      Tensor out = Tensor.empty(y.dtype, new long[] {x.shape[tx ? 1 : 0], y.shape[ty ? 0 : 1]});
      gemm(x, tx, y, ty, out, alpha, 0);
      return out;
    }

    /** {@code (alpha * x @ y)^T}: the product computed row-major, returned as its column-major view. */
    private Tensor productTransposed(Tensor x, boolean tx, Tensor y, boolean ty) {
      try (Tensor rowMajor = product(x, tx, y, ty)) {
        return transposed(rowMajor);
      }
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor[] grads = new Tensor[2];
      matrixGrads(g, grads, 0);
      return grads;
    }

    @Override
    protected void releaseSaved() {
      if (a != null) a.release();
      if (b != null) b.release();
    }
  }

  static Tensor bmm(Tensor a, Tensor b) {
    a.ensureOpen();
    b.ensureOpen();
    if (a.shape.length != 3) throw new IllegalArgumentException("batch1 must be a 3D tensor");
    if (b.shape.length != 3) throw new IllegalArgumentException("batch2 must be a 3D tensor");
    if (a.shape[0] != b.shape[0] || a.shape[2] != b.shape[1]) {
      throw new IllegalArgumentException("Expected size for first two dimensions of batch2 tensor to be: [" + a.shape[0]
          + ", " + a.shape[2] + "] but got: [" + b.shape[0] + ", " + b.shape[1] + "].");
    }
    checkSameType(a, b);
    Tensor out = Tensor.empty(a.dtype, new long[] {a.shape[0], a.shape[1], b.shape[2]});
    batched(a, b, out);
    if ((a.requiresGrad() || b.requiresGrad()) && ThreadState.current().gradEnabled) {
      out.setHistory(new BmmBackward(a, b));
    }
    return out;
  }

  /** {@code out[i] = a[i] @ b[i]} for every batch index. */
  private static void batched(Tensor a, Tensor b, Tensor out) {
    for (long i = 0; i < out.shape[0]; i++) {
      try (Tensor ai = matrix(a, i); Tensor bi = matrix(b, i); Tensor oi = matrix(out, i)) {
        gemm(ai, bi, oi, 1, 0);
      }
    }
  }

  /** BmmBackward0: {@code ga = g @ b^T}, {@code gb = a^T @ g}, batch by batch. */
  static final class BmmBackward extends Node {
    private final SavedTensor a, b;

    BmmBackward(Tensor a, Tensor b) {
      super(a.gradEdge(), b.gradEdge());
      this.b = needsInputGrad(0) ? new SavedTensor(b) : null;
      this.a = needsInputGrad(1) ? new SavedTensor(a) : null;
    }

    @Override
    public String name() {
      return "BmmBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor ga = null, gb = null;
      if (needsInputGrad(0)) {
        Tensor bm = b.get();
        ga = Tensor.empty(g.dtype, new long[] {g.shape[0], g.shape[1], bm.shape[1]});
        try (Tensor bt = bm.alias(null, new long[] {bm.shape[0], bm.shape[2], bm.shape[1]},
            new long[] {bm.strides[0], bm.strides[2], bm.strides[1]}, bm.offset)) {
          batched(g, bt, ga);
        }
      }
      if (needsInputGrad(1)) {
        Tensor am = a.get();
        gb = Tensor.empty(g.dtype, new long[] {g.shape[0], am.shape[2], g.shape[2]});
        try (Tensor at = am.alias(null, new long[] {am.shape[0], am.shape[2], am.shape[1]},
            new long[] {am.strides[0], am.strides[2], am.strides[1]}, am.offset)) {
          batched(at, g, gb);
        }
      }
      return new Tensor[] {ga, gb};
    }

    @Override
    protected void releaseSaved() {
      if (a != null) a.release();
      if (b != null) b.release();
    }
  }

  // ------------------------------------------------------------------ addmm, linear

  static Tensor addmm(Tensor bias, Tensor a, Tensor b, double beta, double alpha) {
    bias.ensureOpen();
    a.ensureOpen();
    b.ensureOpen();
    if (a.shape.length != 2) throw new IllegalArgumentException("mat1 must be a matrix, got " + a.shape.length + "-D tensor");
    if (b.shape.length != 2) throw new IllegalArgumentException("mat2 must be a matrix, got " + b.shape.length + "-D tensor");
    if (a.shape[1] != b.shape[0]) {
      throw new IllegalArgumentException("mat1 and mat2 shapes cannot be multiplied (" + a.shape[0] + "x" + a.shape[1]
          + " and " + b.shape[0] + "x" + b.shape[1] + ")");
    }
    checkSameType(a, b);
    checkSameType(a, bias);
    long[] shape = {a.shape[0], b.shape[1]};
    // a bias row (linear's) fits without the broadcast shape being built
    boolean row = bias.shape.length == 1 && bias.shape[0] == shape[1];
    if (!row && !java.util.Arrays.equals(Shapes.broadcast(bias.shape, shape), shape)) {
      throw new IllegalArgumentException("The expanded size of the tensor (" + shape[1] + ") must match the existing "
          + "size (" + bias.shape[bias.shape.length - 1] + ") at non-singleton dimension 1.  Target sizes: "
          + Shapes.list(shape) + ".  Tensor sizes: " + Shapes.list(bias.shape));
    }
    Tensor out = Tensor.empty(a.dtype, shape);
    if (beta == 0) {
      gemm(a, b, out, alpha, 0);
    } else {
      Elementwise.copy(bias, out);   // a bias row: one copy per output row
      if (beta != 1) Elementwise.unary((k, x, xo, o, oo, n) -> k.binaryScalar(dev.vectorgrad.kernels.BinaryOp.MUL, x, xo, beta, o, oo, n), out, out);
      gemm(a, b, out, alpha, 1);
    }
    if ((bias.requiresGrad() || a.requiresGrad() || b.requiresGrad()) && ThreadState.current().gradEnabled) {
      out.setHistory(new AddmmBackward(bias, a, b, beta, alpha));
    }
    return out;
  }

  /** AddmmBackward0: the bias gets beta * g summed to its shape; the matrices as in mm, times alpha. */
  static final class AddmmBackward extends MmBackward {
    private final long[] biasShape;
    private final DType biasType;
    private final double beta;

    AddmmBackward(Tensor bias, Tensor a, Tensor b, double beta, double alpha) {
      super("AddmmBackward0", a, b, alpha, bias.gradEdge());
      this.biasShape = bias.shape;
      this.biasType = bias.dtype;
      this.beta = beta;
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor[] grads = new Tensor[3];
      if (needsInputGrad(0)) {
        Tensor scaled = beta == 1 ? g : g.mul(beta);
        grads[0] = GradShapes.reduceTo(scaled, biasShape, biasType);
      }
      matrixGrads(g, grads, 1);
      return grads;
    }
  }

  /** {@code x @ w^T + b}, as PyTorch's F.linear: addmm for a matrix input with a bias, else matmul (+ b). */
  static Tensor linear(Tensor x, Tensor w, Tensor b) {
    Tensor wt = w.t();
    if (x.shape.length == 2 && b != null) return addmm(b, x, wt, 1, 1);
    if (x.shape.length == 3 && b != null && x.contiguous) {   // PyTorch's fused path for a contiguous 3-D input
      Tensor rows = x.view(x.shape[0] * x.shape[1], x.shape[2]);
      Tensor y = addmm(b, rows, wt, 1, 1);
      return y.view(x.shape[0], x.shape[1], y.shape[1]);
    }
    Tensor y = matmul(x, wt);
    if (b == null) return y;
    return y.add(b);
  }

  // ------------------------------------------------------------------ vectors

  static Tensor dot(Tensor a, Tensor b) {
    a.ensureOpen();
    b.ensureOpen();
    if (a.shape.length != 1 || b.shape.length != 1) {
      throw new IllegalArgumentException("1D tensors expected, but got " + a.shape.length + "D and " + b.shape.length
          + "D tensors");
    }
    if (a.dtype != b.dtype) {   // PyTorch's dot_check: dims, then dtypes, then sizes
      throw new IllegalArgumentException("dot : expected both vectors to have same dtype, but found "
          + a.dtype.scalarTypeName() + " and " + b.dtype.scalarTypeName());
    }
    if (a.shape[0] != b.shape[0]) {
      throw new IllegalArgumentException("inconsistent tensor size, expected tensor [" + a.shape[0] + "] and src ["
          + b.shape[0] + "] to have the same number of elements, but got " + a.shape[0] + " and " + b.shape[0]
          + " elements respectively");
    }
    Tensor out = Tensor.empty(a.dtype, Shapes.SCALAR, 1);
    try (Tensor row = a.alias(null, new long[] {1, a.shape[0]}, new long[] {0, a.strides[0]}, a.offset);
         Tensor col = b.alias(null, new long[] {b.shape[0], 1}, new long[] {b.strides[0], 0}, b.offset);
         Tensor o = out.alias(null, new long[] {1, 1}, new long[] {1, 1}, out.offset)) {
      gemm(row, col, o, 1, 0);
    }
    if ((a.requiresGrad() || b.requiresGrad()) && ThreadState.current().gradEnabled) {
      out.setHistory(new DotBackward(a, b));
    }
    return out;
  }

  /** DotBackward0: {@code ga = g * b}, {@code gb = g * a}. */
  static final class DotBackward extends Node {
    private final SavedTensor a, b;

    DotBackward(Tensor a, Tensor b) {
      super(a.gradEdge(), b.gradEdge());
      this.b = needsInputGrad(0) ? new SavedTensor(b) : null;
      this.a = needsInputGrad(1) ? new SavedTensor(a) : null;
    }

    @Override
    public String name() {
      return "DotBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      return new Tensor[] {needsInputGrad(0) ? b.get().mul(g) : null, needsInputGrad(1) ? a.get().mul(g) : null};
    }

    @Override
    protected void releaseSaved() {
      if (a != null) a.release();
      if (b != null) b.release();
    }
  }

  static Tensor mv(Tensor m, Tensor v) {
    m.ensureOpen();
    v.ensureOpen();
    if (m.shape.length != 2 || v.shape.length != 1) {
      throw new IllegalArgumentException("vector + matrix @ vector expected, got 1, " + m.shape.length + ", "
          + v.shape.length);
    }
    if (m.shape[1] != v.shape[0]) {
      throw new IllegalArgumentException("size mismatch, got " + m.shape[0] + ", " + m.shape[0] + "x" + m.shape[1]
          + "," + v.shape[0]);
    }
    checkSameType(m, v);
    Tensor out = Tensor.empty(m.dtype, new long[] {m.shape[0]});
    try (Tensor col = v.alias(null, new long[] {v.shape[0], 1}, new long[] {v.strides[0], 0}, v.offset);
         Tensor o = out.alias(null, new long[] {m.shape[0], 1}, new long[] {1, 0}, out.offset)) {
      gemm(m, col, o, 1, 0);
    }
    if ((m.requiresGrad() || v.requiresGrad()) && ThreadState.current().gradEnabled) {
      out.setHistory(new MvBackward(m, v));
    }
    return out;
  }

  /** MvBackward0: {@code gm = outer(g, v)}, {@code gv = m^T g}. */
  static final class MvBackward extends Node {
    private final SavedTensor m, v;

    MvBackward(Tensor m, Tensor v) {
      super(m.gradEdge(), v.gradEdge());
      this.v = needsInputGrad(0) ? new SavedTensor(v) : null;
      this.m = needsInputGrad(1) ? new SavedTensor(m) : null;
    }

    @Override
    public String name() {
      return "MvBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor gm = null, gv = null;
      if (needsInputGrad(0)) {
        Tensor vec = v.get();
        gm = Tensor.empty(g.dtype, new long[] {g.shape[0], vec.shape[0]});
        try (Tensor col = g.alias(null, new long[] {g.shape[0], 1}, new long[] {g.strides[0], 0}, g.offset);
             Tensor row = vec.alias(null, new long[] {1, vec.shape[0]}, new long[] {0, vec.strides[0]}, vec.offset)) {
          gemm(col, row, gm, 1, 0);
        }
      }
      if (needsInputGrad(1)) {
        Tensor mat = m.get();
        gv = Tensor.empty(g.dtype, new long[] {mat.shape[1]});
        try (Tensor mt = mat.alias(null, new long[] {mat.shape[1], mat.shape[0]}, new long[] {mat.strides[1], mat.strides[0]}, mat.offset);
             Tensor col = g.alias(null, new long[] {g.shape[0], 1}, new long[] {g.strides[0], 0}, g.offset);
             Tensor o = gv.alias(null, new long[] {mat.shape[1], 1}, new long[] {1, 0}, gv.offset)) {
          gemm(mt, col, o, 1, 0);
        }
      }
      return new Tensor[] {gm, gv};
    }

    @Override
    protected void releaseSaved() {
      if (m != null) m.release();
      if (v != null) v.release();
    }
  }

  /** {@code a (n) x b (m) -> (n, m)}: PyTorch computes {@code a.reshape(-1, 1) * b} (MulBackward0). */
  static Tensor outer(Tensor a, Tensor b) {
    a.ensureOpen();
    b.ensureOpen();
    if (a.shape.length != 1 || b.shape.length != 1) {
      throw new IllegalArgumentException("outer: Expected 1-D argument self, but got " + a.shape.length + "-D");
    }
    return a.reshape(-1, 1).mul(b);
  }

  // ------------------------------------------------------------------ matmul

  /** PyTorch's {@code matmul}: dot, mv, mm, folded mm for a batched left operand, broadcast bmm otherwise. */
  static Tensor matmul(Tensor a, Tensor b) {
    a.ensureOpen();
    b.ensureOpen();
    int da = a.shape.length, db = b.shape.length;
    if (da == 0 || db == 0) {
      throw new IllegalArgumentException("both arguments to matmul need to be at least 1D, but they are " + da + "D and "
          + db + "D");
    }
    if (da == 1 && db == 1) return dot(a, b);
    if (da == 2 && db == 1) return mv(a, b);
    if (da == 1 && db == 2) return squeezedInPlace(mm(a.unsqueeze(0), b));
    if (da == 2 && db == 2) return mm(a, b);
    if (shouldFold(a, db) || shouldFold(b, da)) {
      // PyTorch 1.13 folds the batch dims of the larger operand into the rows of one mm (or mv), the second
      // operand's through its transpose: a @ b = (b^T @ a^T)^T; then the batch shape back (_unsafe_view)
      boolean transpose = db > da;
      Tensor t1 = transpose ? b.mT() : a;
      Tensor t2 = transpose ? (da == 2 ? a.t() : a) : b;
      int d1 = t1.shape.length;
      boolean matrix = t2.shape.length == 2;
      long[] shape = java.util.Arrays.copyOf(t1.shape, matrix ? d1 : d1 - 1);
      if (matrix) shape[d1 - 1] = t2.shape[1];
      Tensor rows = t1.reshape(Shapes.numel(java.util.Arrays.copyOf(t1.shape, d1 - 1)), t1.shape[d1 - 1]);
      if (!matrix) return unsafeView(mv(rows, t2), shape);
      Tensor out = unsafeView(mm(rows, t2), shape);
      return transpose ? out.mT().contiguous() : out;
    }
    // Batched: broadcast the batch dims, then one bmm over the flattened batch.
    long[] aMat = da == 1 ? new long[] {1, a.shape[0]} : new long[] {a.shape[da - 2], a.shape[da - 1]};
    long[] bMat = db == 1 ? new long[] {b.shape[0], 1} : new long[] {b.shape[db - 2], b.shape[db - 1]};
    long[] aBatch = java.util.Arrays.copyOf(a.shape, Math.max(da - 2, 0));
    long[] bBatch = java.util.Arrays.copyOf(b.shape, Math.max(db - 2, 0));
    long[] batch = Shapes.broadcast(aBatch, bBatch);
    long n = Shapes.numel(batch);
    Tensor a3 = a.expand(concat(batch, aMat)).reshape(n, aMat[0], aMat[1]);
    Tensor b3 = b.expand(concat(batch, bMat)).reshape(n, bMat[0], bMat[1]);
    Tensor prod = bmm(a3, b3);
    long[] shape = concat(batch, new long[] {aMat[0], bMat[1]});
    if (da == 1) shape = dropAt(shape, shape.length - 2);
    if (db == 1) shape = dropAt(shape, shape.length - 1);
    return unsafeView(prod, shape);
  }

  /**
   * PyTorch 1.13's {@code should_fold}: a batch of three or more dims times a vector or matrix is one mm, except
   * when the batch's last two dims are transposed under a contiguous first (a bmm reads that without a copy).
   */
  private static boolean shouldFold(Tensor t, int otherDims) {
    int d = t.shape.length;
    if (d < 3 || otherDims > 2) return false;
    return !(d == 3 && otherDims == 2 && t.strides[2] != 1 && t.strides[0] == t.shape[1] * t.shape[2]);
  }

  /**
   * {@code product.squeeze_(0)} as PyTorch's 1-D @ 2-D matmul ends: the same data without the leading dim, with the
   * in-place op's node (SqueezeBackward3) and version bump.
   */
  private static Tensor squeezedInPlace(Tensor product) {
    Tensor out = product.reshaped(null, new long[] {product.shape[1]});
    if (product.recordsGrad()) {
      out.setHistory(new Views.ReshapeBackward("SqueezeBackward3", product.shape, product.gradEdge()));
    }
    out.bumpVersion();
    return out;
  }

  private static long[] concat(long[] a, long[] b) {
    long[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  private static long[] dropAt(long[] a, int i) {
    long[] r = new long[a.length - 1];
    for (int j = 0, k = 0; j < a.length; j++) if (j != i) r[k++] = a[j];
    return r;
  }

  /** PyTorch's {@code _unsafe_view}: the contiguous product under the output shape (UnsafeViewBackward0), not a view. */
  private static Tensor unsafeView(Tensor prod, long[] shape) {
    Tensor out = prod.reshaped(null, shape);
    if (prod.recordsGrad()) {
      out.setHistory(new Views.ReshapeBackward("UnsafeViewBackward0", prod.shape, prod.gradEdge()));
    }
    return out;
  }
}
