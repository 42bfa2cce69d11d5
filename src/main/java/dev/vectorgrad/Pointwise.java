package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.autograd.SavedTensor;
import dev.vectorgrad.kernels.BinaryOp;
import dev.vectorgrad.kernels.ElementKernels;
import dev.vectorgrad.kernels.PointwiseKernels;
import dev.vectorgrad.kernels.PointwiseKernels.Binary;
import dev.vectorgrad.kernels.PointwiseKernels.Comparison;
import dev.vectorgrad.kernels.PointwiseKernels.WithScalar;
import dev.vectorgrad.kernels.UnaryOp;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * Pointwise binary math ({@code pow}, {@code maximum}/{@code minimum}, {@code atan2},
 * {@code fmod}/{@code remainder}), comparisons, logical ops, {@code lerp},
 * {@code addcmul}/{@code addcdiv} and the in-place arithmetic {@code add_}/{@code sub_}/
 * {@code mul_}/{@code div_}: each op's forward and its derivative side by side, as PyTorch's
 * kernels and {@code derivatives.yaml} define them.
 *
 * <p>Type promotion is PyTorch's: tensor operands promote with {@link Arithmetic#resultType(Tensor,
 * Tensor)} (dims before 0-dim), a Java {@code double} scalar is a Python float
 * ({@code Arithmetic.resultType(dtype, false)}), and operands are converted to the computation type
 * before the op, so an int64 compared with a float32 is compared as float32, as PyTorch does.
 * Integer ops run in exact long arithmetic. Floating point ops run the {@link PointwiseKernels}
 * (through {@link PointwiseLoops}, which handles broadcasting and strides), rounded as PyTorch's CPU
 * kernels round them; derivatives compute each element in double and round each step to float
 * where PyTorch computes in float.
 */
final class Pointwise {
  private Pointwise() {}

  // ================================================================== pow

  /** {@code a ** e} for a Python float exponent: PyTorch's specialised exponents included. */
  static Tensor pow(Tensor a, double e) {
    a.ensureOpen();
    DType d = Arithmetic.resultType(a.dtype, false);
    UnaryOp kernel = e == 2 ? UnaryOp.SQUARE : e == 0.5 ? UnaryOp.SQRT : e == -0.5 ? UnaryOp.RSQRT
        : e == -1 ? UnaryOp.RECIPROCAL : null;
    Tensor out = Tensor.empty(d, a.shape, a.numel);
    if (kernel != null && Fusion.deferUnary(kernel, 0, 0, a, out)) {   // pending: the same kernel, computed when read
      if (a.recordsGrad()) out.setHistory(new PowBackward0(a, e));
      return out;
    }
    Tensor src = as(a, d);
    try {
      if (e == 0) {
        Elementwise.fill(out, 1);
      } else if (e == 1) {
        Elementwise.copy(src, out);
      } else if (kernel != null) {
        Elementwise.unary((k, x, xo, o, oo, n) -> k.unary(kernel, 0, 0, x, xo, o, oo, n), src, out);
      } else {
        WithScalar op = e == 3 ? WithScalar.CUBE : e == -2 ? WithScalar.INVERSE_SQUARE : WithScalar.POW;
        withScalar(op, src, e, out);
      }
    } finally {
      release(src, a);
    }
    if (a.recordsGrad()) out.setHistory(new PowBackward0(a, e));
    return out;
  }

  /**
   * PyTorch's {@code pow(Tensor, Scalar)} for one element: 0 and 1 are a fill and a copy,
   * 0.5/-0.5/-1 are sqrt/rsqrt/reciprocal, 2/3/-2 products, anything else {@code std::pow} (in
   * double, rounded once); {@code f32} rounds each step to float as PyTorch's float kernel does.
   */
  static double powScalar(double x, double e, boolean f32) {
    if (e == 0) return 1;
    if (e == 1) return x;
    if (e == 2) return x * x;
    if (e == 3) return r(x * x, f32) * x;
    if (e == -2) return 1 / r(x * x, f32);
    if (e == 0.5) return Math.sqrt(x);
    if (e == -0.5) return 1 / r(Math.sqrt(x), f32);
    if (e == -1) return 1 / x;
    return cpow(x, e);
  }

  /** C's {@code pow}: Java's Math.pow except pow(1, y) = 1 and pow(-1, +-inf) = 1. */
  static double cpow(double x, double y) {
    if (x == 1 || y == 0) return 1;
    if (x == -1 && Double.isInfinite(y)) return 1;
    return Math.pow(x, y);
  }

  /** PyTorch's integer pow: repeated squaring (wrapping), negative exponents give 1, -1 or 0. */
  static long powi(long a, long b) {
    if (b < 0) {
      if (a == 1) return 1;
      if (a == -1) return (b & 1) != 0 ? -1 : 1;
      return 0;
    }
    long result = 1;
    while (b != 0) {
      if ((b & 1) != 0) result *= a;
      b /= 2;
      a *= a;
    }
    return result;
  }

  /** {@code a ** e} elementwise, broadcasting; int64 in exact integer arithmetic. */
  static Tensor pow(Tensor a, Tensor e) {
    a.ensureOpen();
    e.ensureOpen();
    DType d = Arithmetic.resultType(a, e);
    Shapes.broadcast(a.shape, e.shape);   // PyTorch's iterator checks the shapes before its kernel refuses bool
    if (d == DType.BOOL) throw notImplemented("pow", d);
    Tensor out;
    if (d == DType.INT64) {
      out = binaryLong(a, e, Pointwise::powi);
    } else {
      out = floating(Binary.POW, a, e, d);
    }
    if ((a.requiresGrad() || e.requiresGrad()) && ThreadState.current().gradEnabled && d.isFloatingPoint()) {
      out.setHistory(new PowBackward1(a, e, out));
    }
    return out;
  }

  /** {@code base ** e} for a Python float base. */
  static Tensor pow(double base, Tensor e) {
    e.ensureOpen();
    DType d = Arithmetic.resultType(e.dtype, false);
    double b = d.round(base);
    Tensor src = as(e, d);
    Tensor out = Tensor.empty(d, e.shape, e.numel);
    try {
      if (b == 1) Elementwise.fill(out, 1);
      else withScalar(WithScalar.BASE_POW, src, b, out);
    } finally {
      release(src, e);
    }
    if (e.recordsGrad()) out.setHistory(new PowBackward2(base, e, out));   // its log(base) is of the Scalar itself
    return out;
  }

  /** PowBackward0: {@code grad * e * a^(e-1)}, zero for e == 0. */
  static final class PowBackward0 extends Node {
    private final double e;
    private SavedTensor self;

    PowBackward0(Tensor a, double e) {
      super(a.gradEdge());
      this.e = e;
      this.self = new SavedTensor(a);
    }

    @Override
    public String name() {
      return "PowBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor a = self.get();
      if (e == 0) return new Tensor[] {Tensor.zeros(a.dtype, a.shape)};
      boolean f32 = g.dtype == DType.FLOAT32;
      double em1 = e - 1, ef = r(e, f32);
      return new Tensor[] {mapped(g.dtype, g.shape, (gv, x) -> gv * r(ef * r(powScalar(x, em1, f32), f32), f32), g, a)};
    }

    @Override
    protected void releaseSaved() {
      self.release();
    }
  }

  /**
   * PowBackward1: base {@code where(e == 0, 0, grad * e * a^(e-1))}, exponent
   * {@code grad * where(a == 0 & e >= 0, 0, result * log(a))}.
   */
  static final class PowBackward1 extends Node {
    private final long[] aShape, eShape;
    private final DType aType, eType;
    private SavedTensor self, exponent, result;

    PowBackward1(Tensor a, Tensor e, Tensor out) {
      super(a.gradEdge(), e.gradEdge());
      aShape = a.shape;
      eShape = e.shape;
      aType = a.dtype;
      eType = e.dtype;
      self = new SavedTensor(a);
      exponent = new SavedTensor(e);
      if (needsInputGrad(1)) result = new SavedTensor(out, this);   // the op's own output: this node produced it
    }

    @Override
    public String name() {
      return "PowBackward1";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor a = self.get(), e = exponent.get();
      boolean f32 = g.dtype == DType.FLOAT32;
      // PyTorch 1.13 computes e - 1 in e's dtype and log(a) in a's (integers: float32), not the promoted one
      boolean eF32 = eType != DType.FLOAT64, aF32 = aType != DType.FLOAT64;
      DType d = g.dtype;
      Tensor ga = null, ge = null;
      if (needsInputGrad(0)) {
        Tensor full = mapped3(d, g.shape, (gv, x, y) -> {
          x = d.round(x);
          y = d.round(y);
          return y == 0 ? 0 : gv * r(y * r(cpow(x, r(y - 1, eF32)), f32), f32);
        }, g, a, e);
        ga = GradShapes.reduceTo(full, aShape, aType);
      }
      if (needsInputGrad(1)) {
        // where(a == 0 & e >= 0, 0, result * log(a)), then times grad (so 0 * inf is NaN, as PyTorch)
        Tensor coef = mapped3(d, g.shape, (rv, x, y) -> {
          x = d.round(x);
          y = d.round(y);
          return x == 0 && y >= 0 ? 0 : rv * r(Math.log(x), aF32);
        }, result.get(), a, e);
        ge = GradShapes.reduceTo(g.mul(coef), eShape, eType);
      }
      return new Tensor[] {ga, ge};
    }

    @Override
    protected void releaseSaved() {
      self.release();
      exponent.release();
      if (result != null) result.release();
    }
  }

  /** PowBackward2: {@code grad * result * log(base)} (zero where base == 0 and e >= 0). */
  static final class PowBackward2 extends Node {
    private final double base;
    private SavedTensor exponent, result;

    PowBackward2(double base, Tensor e, Tensor out) {
      super(e.gradEdge());
      this.base = base;
      exponent = new SavedTensor(e);
      result = new SavedTensor(out, this);
    }

    @Override
    public String name() {
      return "PowBackward2";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor e = exponent.get(), res = result.get();
      boolean f32 = g.dtype == DType.FLOAT32;
      double logBase = r(Math.log(base), f32);
      Tensor coef = mapped(g.dtype, g.shape, (rv, y) -> base == 0 && y >= 0 ? 0 : rv * logBase, res, e);
      Tensor full = g.mul(coef);
      return new Tensor[] {GradShapes.reduceTo(full, e.shape, e.dtype)};
    }

    @Override
    protected void releaseSaved() {
      exponent.release();
      result.release();
    }
  }

  // ================================================================== maximum, minimum

  static Tensor maximum(Tensor a, Tensor b) {
    return extremum(a, b, true);
  }

  static Tensor minimum(Tensor a, Tensor b) {
    return extremum(a, b, false);
  }

  /**
   * NaN propagates; equal values (also -0.0 and 0.0) give {@code a}, as PyTorch's scalar loop
   * ({@code std::max}) does. PyTorch's vector loop (tensors of 16+ elements) returns {@code b} for
   * equal values instead, which only shows in the sign of a zero.
   */
  private static Tensor extremum(Tensor a, Tensor b, boolean max) {
    a.ensureOpen();
    b.ensureOpen();
    DType d = Arithmetic.resultType(a, b);
    Tensor out;
    if (d == DType.BOOL || d == DType.INT64) {
      out = binaryLong(a, b, max ? (x, y) -> x < y ? y : x : (x, y) -> y < x ? y : x);
    } else {
      Binary op = max ? Binary.MAXIMUM : Binary.MINIMUM;
      out = Tensor.empty(d, Shapes.broadcast(a.shape, b.shape));
      if (!Fusion.deferPointwise(op, a, b, out)) compute(op, a, b, out);   // else pending: computed when read
    }
    if ((a.requiresGrad() || b.requiresGrad()) && ThreadState.current().gradEnabled && d.isFloatingPoint()) {
      out.setHistory(new ExtremumBackward(a, b, max));
    }
    return out;
  }

  /**
   * MaximumBackward0 / MinimumBackward0: the gradient goes to the selected operand, half to each on
   * ties; where either is NaN both get all of it (PyTorch's {@code where(a == b, grad / 2, grad)
   * .masked_fill_(a < b, 0)}).
   */
  static final class ExtremumBackward extends Node {
    private final boolean max;
    private final long[] aShape, bShape;
    private final DType aType, bType;
    private SavedTensor savedA, savedB;

    ExtremumBackward(Tensor a, Tensor b, boolean max) {
      super(a.gradEdge(), b.gradEdge());
      this.max = max;
      aShape = a.shape;
      bShape = b.shape;
      aType = a.dtype;
      bType = b.dtype;
      savedA = new SavedTensor(a);
      savedB = new SavedTensor(b);
    }

    @Override
    public String name() {
      return max ? "MaximumBackward0" : "MinimumBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor a = savedA.get(), b = savedB.get();
      DType d = g.dtype;
      Tensor ga = null, gb = null;
      for (int i = 0; i < 2; i++) {
        if (!needsInputGrad(i)) continue;
        boolean first = i == 0;
        // the share of the gradient input i gets: it loses where the other one wins
        Tensor share = mapped(d, g.shape, (x, y) -> {
          x = d.round(x);
          y = d.round(y);
          if (x == y) return 0.5;
          boolean loses = first == max ? x < y : x > y;
          return loses ? 0 : 1;
        }, a, b);
        Tensor full = mapped(d, g.shape, (gv, s) -> s == 0 ? 0 : s == 1 ? gv : gv / 2, g, share);
        if (first) ga = GradShapes.reduceTo(full, aShape, aType);
        else gb = GradShapes.reduceTo(full, bShape, bType);
      }
      return new Tensor[] {ga, gb};
    }

    @Override
    protected void releaseSaved() {
      savedA.release();
      savedB.release();
    }
  }

  // ================================================================== atan2

  static Tensor atan2(Tensor a, Tensor b) {
    a.ensureOpen();
    b.ensureOpen();
    DType d = Arithmetic.resultType(a, b);
    if (!d.isFloatingPoint()) d = DType.FLOAT32;
    Tensor out = floating(Binary.ATAN2, a, b, d);
    if ((a.requiresGrad() || b.requiresGrad()) && ThreadState.current().gradEnabled) {
      out.setHistory(new Atan2Backward(a, b));
    }
    return out;
  }

  /** Atan2Backward0: {@code grad * b / (a^2 + b^2)} and {@code grad * -a / (a^2 + b^2)}. */
  static final class Atan2Backward extends Node {
    private final long[] aShape, bShape;
    private final DType aType, bType;
    private SavedTensor savedA, savedB;

    Atan2Backward(Tensor a, Tensor b) {
      super(a.gradEdge(), b.gradEdge());
      aShape = a.shape;
      bShape = b.shape;
      aType = a.dtype;
      bType = b.dtype;
      savedA = new SavedTensor(a);
      savedB = new SavedTensor(b);
    }

    @Override
    public String name() {
      return "Atan2Backward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor a = savedA.get(), b = savedB.get();
      DType d = g.dtype;
      boolean f32 = d == DType.FLOAT32;
      Tensor recip = mapped(d, g.shape, (x, y) -> {
        x = d.round(x);
        y = d.round(y);
        return 1 / r(r(x * x, f32) + r(y * y, f32), f32);
      }, a, b);
      Tensor ga = null, gb = null;
      if (needsInputGrad(0)) {
        ga = GradShapes.reduceTo(mapped3(d, g.shape, (gv, y, rc) -> r(gv * d.round(y), f32) * rc, g, b, recip),
            aShape, aType);
      }
      if (needsInputGrad(1)) {
        gb = GradShapes.reduceTo(mapped3(d, g.shape, (gv, x, rc) -> r(gv * -d.round(x), f32) * rc, g, a, recip),
            bShape, bType);
      }
      return new Tensor[] {ga, gb};
    }

    @Override
    protected void releaseSaved() {
      savedA.release();
      savedB.release();
    }
  }

  // ================================================================== fmod, remainder

  static Tensor fmod(Tensor a, double b) {
    return modScalar(a, b, false);
  }

  static Tensor remainder(Tensor a, double b) {
    return modScalar(a, b, true);
  }

  static Tensor fmod(Tensor a, Tensor b) {
    return modTensor(a, b, false);
  }

  static Tensor remainder(Tensor a, Tensor b) {
    return modTensor(a, b, true);
  }

  private static long remainderL(long x, long y) {
    long r = x % y;
    if (r != 0 && (r < 0) != (y < 0)) r += y;
    return r;
  }

  private static Tensor modScalar(Tensor a, double b, boolean python) {
    a.ensureOpen();
    DType d = Arithmetic.resultType(a.dtype, false);
    double y = d.round(b);
    Tensor src = as(a, d);
    Tensor out = Tensor.empty(d, a.shape, a.numel);
    try {
      withScalar(python ? WithScalar.REMAINDER : WithScalar.FMOD, src, y, out);
    } finally {
      release(src, a);
    }
    if (a.recordsGrad()) out.setHistory(new PassBackward(python ? "RemainderBackward0" : "FmodBackward0", a.gradEdge()));
    return out;
  }

  private static Tensor modTensor(Tensor a, Tensor b, boolean python) {
    a.ensureOpen();
    b.ensureOpen();
    DType d = Arithmetic.resultType(a, b);
    long[] shape = Shapes.broadcast(a.shape, b.shape);   // TensorIterator's shape error before the kernel's dtype one
    if (d == DType.BOOL) throw notImplemented(python ? "remainder_cpu" : "fmod_cpu", d);
    Tensor out;
    if (d == DType.INT64) {
      // PyTorch's shape error comes first; an empty result divides nothing
      if (Shapes.numel(shape) > 0) checkNoZero(b);
      out = binaryLong(a, b, python ? Pointwise::remainderL : (x, y) -> x % y);
    } else {
      out = floating(python ? Binary.REMAINDER : Binary.FMOD, a, b, d);
    }
    if ((a.requiresGrad() || b.requiresGrad()) && ThreadState.current().gradEnabled && d.isFloatingPoint()) {
      out.setHistory(new ModBackward(a, b, python));
    }
    return out;
  }

  /** PyTorch's integer division check: {@code RuntimeError: ZeroDivisionError}. */
  private static void checkNoZero(Tensor b) {
    if (b.numel == 0) return;
    ElementKernels k = b.kernels();
    boolean[] zero = {false};
    StridedLoop.of(b.shape, b).forEachIndex(0, i -> zero[0] |= k.getLong(b.seg(), i) == 0);
    if (zero[0]) throw new ArithmeticException("ZeroDivisionError");
  }

  /** Ops whose derivative passes the gradient through unchanged (FmodBackward0, RemainderBackward0). */
  static final class PassBackward extends Node {
    private final String name;

    PassBackward(String name, Node edge) {
      super(edge);
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      return new Tensor[] {g};
    }
  }

  /**
   * FmodBackward1 / RemainderBackward1: {@code grad} to a, {@code -grad * div(a, b, rounding_mode)}
   * to b ("trunc" for fmod, "floor" for remainder).
   */
  static final class ModBackward extends Node {
    private final boolean python;
    private final long[] aShape, bShape;
    private final DType aType, bType;
    private SavedTensor savedA, savedB;

    ModBackward(Tensor a, Tensor b, boolean python) {
      super(a.gradEdge(), b.gradEdge());
      this.python = python;
      aShape = a.shape;
      bShape = b.shape;
      aType = a.dtype;
      bType = b.dtype;
      if (needsInputGrad(1)) {
        savedA = new SavedTensor(a);
        savedB = new SavedTensor(b);
      }
    }

    @Override
    public String name() {
      return python ? "RemainderBackward1" : "FmodBackward1";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor ga = needsInputGrad(0) ? GradShapes.reduceTo(g, aShape, aType) : null;
      Tensor gb = null;
      if (needsInputGrad(1)) {
        DType d = g.dtype;
        boolean f32 = d == DType.FLOAT32;
        Tensor q = mapped(d, g.shape, (x, y) -> {
          x = d.round(x);
          y = d.round(y);
          return python ? floorDiv(x, y, f32) : trunc(r(x / y, f32));
        }, savedA.get(), savedB.get());
        gb = GradShapes.reduceTo(mapped(d, g.shape, (gv, qv) -> -gv * qv, g, q), bShape, bType);
      }
      return new Tensor[] {ga, gb};
    }

    @Override
    protected void releaseSaved() {
      if (savedA != null) savedA.release();
      if (savedB != null) savedB.release();
    }
  }

  /** Truncation toward zero that keeps -0.0, NaN and infinities. */
  private static double trunc(double v) {
    return v < 0 ? Math.ceil(v) : Math.floor(v);
  }

  /** PyTorch's {@code div_floor_floating}: Python's floor division of floats. */
  static double floorDiv(double a, double b, boolean f32) {
    if (b == 0) return r(a / b, f32);
    double mod = a % b;
    double div = r(r(a - mod, f32) / b, f32);
    if (mod != 0 && (b < 0) != (mod < 0)) div = r(div - 1, f32);
    double floordiv;
    if (div != 0) {
      floordiv = Math.floor(div);
      if (r(div - floordiv, f32) > 0.5) floordiv = r(floordiv + 1, f32);
    } else {
      floordiv = Math.copySign(0, r(a / b, f32));
    }
    return floordiv;
  }

  // ================================================================== comparisons, logical ops

  private static Comparison comparison(String op) {
    return switch (op) {
      case "eq" -> Comparison.EQ;
      case "ne" -> Comparison.NE;
      case "lt" -> Comparison.LT;
      case "le" -> Comparison.LE;
      case "gt" -> Comparison.GT;
      case "ge" -> Comparison.GE;
      default -> throw new IllegalArgumentException("unknown comparison " + op);
    };
  }

  private static boolean test(Comparison op, long x, long y) {
    return switch (op) {
      case EQ -> x == y;
      case NE -> x != y;
      case LT -> x < y;
      case LE -> x <= y;
      case GT -> x > y;
      case GE -> x >= y;
    };
  }

  /** {@code a op b} as bool, compared in the promoted type (NaN compares false, except {@code ne}). */
  static Tensor compare(String name, Tensor a, Tensor b) {
    a.ensureOpen();
    b.ensureOpen();
    Comparison op = comparison(name);
    long[] shape = Shapes.broadcast(a.shape, b.shape);
    DType d = Arithmetic.resultType(a, b);
    Tensor out = Tensor.empty(DType.BOOL, shape);
    Tensor ca = as(a, d), cb = as(b, d);
    try {
      if (d.isFloatingPoint()) {
        PointwiseKernels k = kernels(d);
        PointwiseLoops.run((sg, o, n) -> k.compare(op, sg[1], o[1], sg[2], o[2], sg[0], o[0], n), out, ca, cb);
      } else {
        mapLong(out, (x, y) -> test(op, x, y) ? 1 : 0, ca, cb);
      }
    } finally {
      release(ca, a);
      release(cb, b);
    }
    return out;
  }

  /** {@code a op value} as bool for a Python float: integer and bool tensors compare in float32. */
  static Tensor compare(String name, Tensor a, double value) {
    a.ensureOpen();
    Comparison op = comparison(name);
    DType d = Arithmetic.resultType(a.dtype, false);
    double y = d.round(value);
    Tensor out = Tensor.empty(DType.BOOL, a.shape, a.numel);
    Tensor ca = as(a, d);
    try {
      PointwiseKernels k = kernels(d);
      PointwiseLoops.run((sg, o, n) -> k.compareScalar(op, sg[1], o[1], y, sg[0], o[0], n), out, ca);
    } finally {
      release(ca, a);
    }
    return out;
  }

  /**
   * logical_and / logical_or / logical_xor: bool of the truth values (nonzero, NaN included, is
   * true), as the bool kernels' {@code *}, {@code +} and {@code -} (and, or, xor) of the operands'
   * truth values.
   */
  static Tensor logical(String name, Tensor a, Tensor b) {
    a.ensureOpen();
    b.ensureOpen();
    BinaryOp op = switch (name) {
      case "logical_and" -> BinaryOp.MUL;
      case "logical_or" -> BinaryOp.ADD;
      case "logical_xor" -> BinaryOp.SUB;
      default -> throw new IllegalArgumentException("unknown logical op " + name);
    };
    Tensor out = Tensor.empty(DType.BOOL, Shapes.broadcast(a.shape, b.shape));
    Tensor ta = truth(a), tb = truth(b);
    try {
      Elementwise.binary(op, ta, tb, out);
    } finally {
      release(ta, a);
      release(tb, b);
    }
    return out;
  }

  /** {@code t} itself if bool, else {@code t != 0} (an integer is nonzero exactly when its float32 value is). */
  private static Tensor truth(Tensor t) {
    return t.dtype == DType.BOOL ? t : compare("ne", t, 0.0);
  }

  static Tensor logicalNot(Tensor a) {
    a.ensureOpen();
    return compare("eq", a, 0.0);
  }

  // ================================================================== lerp

  /**
   * {@code a + weight * (end - a)} for weight < 0.5, else {@code end - (end - a) * (1 - weight)}, each
   * with one fused multiply-add, as PyTorch 1.13's CPU kernel computes it (weight rounded to the
   * tensors' type; the test is {@code weight < 0.5}, so negative weights take the first form).
   */
  static Tensor lerp(Tensor a, Tensor end, double weight) {
    a.ensureOpen();
    end.ensureOpen();
    if (a.dtype != end.dtype) {
      throw new IllegalArgumentException("expected dtype " + cName(a.dtype) + " for `end` but got dtype "
          + cName(end.dtype));
    }
    if (!a.dtype.isFloatingPoint()) throw notImplemented("lerp_kernel_scalar", a.dtype);
    DType d = a.dtype;
    Tensor out = Tensor.empty(d, Shapes.broadcast(a.shape, end.shape));
    PointwiseKernels k = kernels(d);
    PointwiseLoops.run((sg, o, n) -> k.lerp(sg[1], o[1], sg[2], o[2], weight, sg[0], o[0], n), out, a, end);
    if ((a.requiresGrad() || end.requiresGrad()) && ThreadState.current().gradEnabled) {
      out.setHistory(new LerpBackward(a, end, weight));
    }
    return out;
  }

  /** PyTorch's C++ type names in lerp's message ({@code caffe2::TypeMeta}). */
  private static String cName(DType d) {
    return switch (d) {
      case FLOAT32 -> "float";
      case FLOAT64 -> "double";
      case INT64 -> "long int";
      case BOOL -> "bool";
    };
  }

  /** LerpBackward0: {@code grad * (1 - weight)} and {@code grad * weight}. */
  static final class LerpBackward extends Node {
    private final double weight;
    private final long[] aShape, endShape;
    private final DType dtype;

    LerpBackward(Tensor a, Tensor end, double weight) {
      super(a.gradEdge(), end.gradEdge());
      this.weight = weight;
      aShape = a.shape;
      endShape = end.shape;
      dtype = a.dtype;
    }

    @Override
    public String name() {
      return "LerpBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor ga = needsInputGrad(0) ? GradShapes.reduceTo(g.mul(1 - weight), aShape, dtype) : null;
      Tensor ge = needsInputGrad(1) ? GradShapes.reduceTo(g.mul(weight), endShape, dtype) : null;
      return new Tensor[] {ga, ge};
    }
  }

  // ================================================================== addcmul, addcdiv

  /** {@code a + value * t1 * t2} in the promoted type of the three tensors (value does not promote). */
  static Tensor addcmul(Tensor a, Tensor t1, Tensor t2, double value) {
    return addc(a, t1, t2, value, false);
  }

  /** {@code a + value * t1 / t2}; integer t1 and t2 are refused as PyTorch refuses them. */
  static Tensor addcdiv(Tensor a, Tensor t1, Tensor t2, double value) {
    t1.ensureOpen();
    t2.ensureOpen();
    if (!t1.dtype.isFloatingPoint() && !t2.dtype.isFloatingPoint()) {
      throw new IllegalArgumentException("Integer division with addcdiv is no longer supported, and in a future  "
          + "release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
          + "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs "
          + "and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the "
          + "latter implementation: (input + value * tensor1 / tensor2), for all dtypes.");
    }
    return addc(a, t1, t2, value, true);
  }

  private static Tensor addc(Tensor a, Tensor t1, Tensor t2, double value, boolean div) {
    a.ensureOpen();
    t1.ensureOpen();
    t2.ensureOpen();
    DType d = resultType(a, t1, t2);
    if (d == DType.BOOL) throw notImplemented(div ? "addcdiv_cpu_out" : "addcmul_cpu_out", d);
    // PyTorch broadcasts self with tensor1, then with tensor2 (the order its shape errors name)
    long[] shape = Shapes.broadcast(Shapes.broadcast(a.shape, t1.shape), t2.shape);
    long[] prodShape = Shapes.broadcast(t1.shape, t2.shape);
    // value * t1 first (value rounded to d), as PyTorch's kernel
    Tensor c1 = as(t1, d);
    Tensor scaled = Tensor.empty(d, t1.shape, t1.numel);
    Tensor out = Tensor.empty(d, shape);
    try {
      Elementwise.unary((k, x, xo, o, oo, n) -> k.binaryScalar(BinaryOp.MUL, x, xo, value, o, oo, n), c1, scaled);
      if (div || d == DType.INT64) {
        // ((value * t1) op t2) + a: each step a vector kernel, rounded as PyTorch's
        try (Tensor prod = Tensor.empty(d, prodShape)) {
          Arithmetic.compute(div ? BinaryOp.DIV : BinaryOp.MUL, scaled, t2, prod);
          Arithmetic.compute(BinaryOp.ADD, a, prod, out);
        }
      } else {
        // PyTorch's float addcmul fuses the last two steps: fma(value * t1, t2, a), one rounding
        Tensor ca = as(a, d), c2 = as(t2, d);
        try {
          PointwiseKernels k = kernels(d);
          PointwiseLoops.run((sg, o, n) -> k.fma(sg[1], o[1], sg[2], o[2], sg[3], o[3], sg[0], o[0], n),
              out, scaled, c2, ca);
        } finally {
          release(ca, a);
          release(c2, t2);
        }
      }
    } finally {
      release(c1, t1);
      scaled.close();
    }
    if ((a.requiresGrad() || t1.requiresGrad() || t2.requiresGrad()) && ThreadState.current().gradEnabled
        && d.isFloatingPoint()) {
      out.setHistory(new AddcBackward(a, t1, t2, value, div));
    }
    return out;
  }

  /** PyTorch's result_type of several tensors: those with dims first, 0-dim ones by category. */
  static DType resultType(Tensor... ts) {
    DType dims = null, zeroDim = null;
    for (Tensor t : ts) {
      if (t.shape.length == 0) zeroDim = zeroDim == null ? t.dtype : DType.promote(zeroDim, t.dtype);
      else dims = dims == null ? t.dtype : DType.promote(dims, t.dtype);
    }
    return Arithmetic.combine(dims, zeroDim);
  }

  /**
   * AddcmulBackward0: {@code grad}, {@code grad * t2 * value}, {@code grad * t1 * value}.
   * AddcdivBackward0: {@code grad}, {@code grad * value / t2}, {@code -grad * value * t1 / t2^2}.
   * Each saves only what its needed gradients read (addcdiv always saves t2, as PyTorch).
   */
  static final class AddcBackward extends Node {
    private final boolean div;
    private final double value;
    private final long[] aShape, shape1, shape2;
    private final DType aType, type1, type2;
    private SavedTensor saved1, saved2;

    AddcBackward(Tensor a, Tensor t1, Tensor t2, double value, boolean div) {
      super(a.gradEdge(), t1.gradEdge(), t2.gradEdge());
      this.div = div;
      this.value = value;
      aShape = a.shape;
      shape1 = t1.shape;
      shape2 = t2.shape;
      aType = a.dtype;
      type1 = t1.dtype;
      type2 = t2.dtype;
      if (div || needsInputGrad(1)) saved2 = new SavedTensor(t2);
      if (needsInputGrad(2)) saved1 = new SavedTensor(t1);
    }

    @Override
    public String name() {
      return div ? "AddcdivBackward0" : "AddcmulBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      // as PyTorch's generated nodes, every saved tensor is unpacked (and checked) first
      Tensor t1 = saved1 == null ? null : saved1.get(), t2 = saved2 == null ? null : saved2.get();
      Tensor ga = needsInputGrad(0) ? GradShapes.reduceTo(g, aShape, aType) : null;
      Tensor g1 = null, g2 = null;
      if (needsInputGrad(1)) {
        g1 = GradShapes.reduceTo(div ? g.mul(t2.reciprocal().mul(value)) : g.mul(t2.mul(value)), shape1, type1);
      }
      if (needsInputGrad(2)) {
        if (div) {
          g2 = GradShapes.reduceTo(g.neg().mul(t1.mul(value).div(t2.mul(t2))), shape2, type2);
        } else {
          g2 = GradShapes.reduceTo(g.mul(t1.mul(value)), shape2, type2);
        }
      }
      return new Tensor[] {ga, g1, g2};
    }

    @Override
    protected void releaseSaved() {
      if (saved1 != null) saved1.release();
      if (saved2 != null) saved2.release();
    }
  }

  // ================================================================== in-place arithmetic

  private static BinaryOp binaryOp(String op) {
    return switch (op) {
      case "add" -> BinaryOp.ADD;
      case "sub" -> BinaryOp.SUB;
      case "mul" -> BinaryOp.MUL;
      case "div" -> BinaryOp.DIV;
      default -> throw new IllegalArgumentException("unknown in-place op " + op);
    };
  }

  private static final String BOOL_SUB = "Subtraction, the `-` operator, with a bool tensor is not supported. "
      + "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.";

  /** {@code t op= value} for a Python float (add_, sub_, mul_, div_): AddBackward0 and so on. */
  static Tensor inPlace(String name, Tensor t, double value) {
    BinaryOp op = binaryOp(name);
    t.ensureOpen();
    boolean record = InPlace.gradRecorded(t, t.requiresGrad());   // autograd's refusals first, as PyTorch
    if (op == BinaryOp.SUB && t.dtype == DType.BOOL) throw new IllegalArgumentException(BOOL_SUB);
    InPlace.checkWritable(t);
    InPlace.checkCast(Arithmetic.resultType(t.dtype, false), t.dtype);
    // Built before t changes identity in the graph: its edge is t's old node.
    Node node = record ? new Arithmetic.ScalarBackward(op, value, t.gradEdge()) : null;
    Elementwise.unary((k, x, xo, o, oo, n) -> k.binaryScalar(op, x, xo, value, o, oo, n), t, t);
    InPlace.finish(t, node);
    return t;
  }

  /** {@code t op= other} (other broadcast to t): add_, sub_, mul_, div_ with PyTorch's checks and nodes. */
  static Tensor inPlace(String name, Tensor t, Tensor other) {
    BinaryOp op = binaryOp(name);
    if (op == BinaryOp.ADD) return InPlace.add(t, other);
    t.ensureOpen();
    other.ensureOpen();
    boolean record = InPlace.gradRecorded(t, t.requiresGrad() || other.requiresGrad());   // autograd's refusals first
    if (op == BinaryOp.SUB && (t.dtype == DType.BOOL || other.dtype == DType.BOOL)) {
      throw new IllegalArgumentException(t.dtype == DType.BOOL && other.dtype == DType.BOOL
          ? "Subtraction, the `-` operator, with two bool tensors is not supported. "
              + "Use the `^` or `logical_xor()` operator instead."
          : BOOL_SUB);
    }
    InPlace.checkWritable(t);
    InPlace.checkNoPartialOverlap(t, other);   // TensorIterator checks memory overlap before shapes
    InPlace.checkBroadcastsTo(t, other);
    DType d = Arithmetic.resultType(t, other);
    if (op == BinaryOp.DIV && !d.isFloatingPoint()) d = DType.FLOAT32;   // true division
    InPlace.checkCast(d, t.dtype);
    // Built before the write: the edge is t's old node, and mul/div keep t's old values when needed.
    Node node = null;
    if (record) {
      node = op == BinaryOp.SUB ? new Arithmetic.BinaryBackward(op, t, other) : new InPlaceMulDivBackward(op, t, other);
    }
    if (d == t.dtype) {
      Arithmetic.compute(op, t, other, t);
    } else {
      // PyTorch computes in the promoted type and rounds the result once into t's type.
      try (Tensor wide = Tensor.empty(d, t.shape, t.numel)) {
        Arithmetic.compute(op, t, other, wide);
        Casts.convert(wide, t);
      }
    }
    InPlace.finish(t, node);
    return t;
  }

  /**
   * MulBackward0 / DivBackward0 of {@code t.mul_(other)} / {@code t.div_(other)}: as the
   * out-of-place nodes, with t's values from before the write (a copy, taken only when other's
   * gradient needs them, as PyTorch's {@code original_self}).
   */
  static final class InPlaceMulDivBackward extends Node {
    private final BinaryOp op;
    private final long[] selfShape, otherShape;
    private final DType selfType, otherType;
    private SavedTensor oldSelf, savedOther;

    InPlaceMulDivBackward(BinaryOp op, Tensor self, Tensor other) {
      super(self.gradEdge(), other.gradEdge());
      this.op = op;
      selfShape = self.shape;
      otherShape = other.shape;
      selfType = self.dtype;
      otherType = other.dtype;
      if (op == BinaryOp.DIV || needsInputGrad(0)) savedOther = new SavedTensor(other);
      if (needsInputGrad(1)) oldSelf = new SavedTensor(Casts.copyAs(self, self.dtype));
    }

    @Override
    public String name() {
      return op == BinaryOp.MUL ? "MulBackward0" : "DivBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor gs = null, go = null;
      if (op == BinaryOp.MUL) {
        if (needsInputGrad(0)) gs = GradShapes.reduceTo(g.mul(savedOther.get()), selfShape, selfType);
        if (needsInputGrad(1)) go = GradShapes.reduceTo(g.mul(oldSelf.get()), otherShape, otherType);
      } else {
        Tensor b = savedOther.get();
        if (needsInputGrad(0)) gs = GradShapes.reduceTo(g.div(b), selfShape, selfType);
        if (needsInputGrad(1)) go = GradShapes.reduceTo(g.neg().mul(oldSelf.get().div(b).div(b)), otherShape, otherType);
      }
      return new Tensor[] {gs, go};
    }

    @Override
    protected void releaseSaved() {
      if (oldSelf != null) oldSelf.release();
      if (savedOther != null) savedOther.release();
    }
  }

  // ================================================================== drivers

  /** {@code t} itself when it has {@code d}, else a converted contiguous copy (release with {@link #release}). */
  private static Tensor as(Tensor t, DType d) {
    return t.dtype == d ? t : Casts.copyAs(t, d);
  }

  private static void release(Tensor copy, Tensor original) {
    if (copy != original) copy.close();
  }

  /** {@code v} rounded to float when {@code f32}: one step of a float kernel. */
  private static double r(double v, boolean f32) {
    return f32 ? (double) (float) v : v;
  }

  private static IllegalArgumentException notImplemented(String kernel, DType dtype) {
    return new IllegalArgumentException("\"" + kernel + "\" not implemented for '" + dtype.scalarTypeName() + "'");
  }

  static PointwiseKernels kernels(DType d) {
    return d == DType.FLOAT32 ? PointwiseKernels.float32() : PointwiseKernels.float64();
  }

  /** A derivative kernel ({@code THRESHOLD_BACKWARD}, ...) of the gradient {@code g} and a saved tensor, in g's dtype. */
  static Tensor derivative(Binary op, Tensor g, Tensor saved) {
    return floating(op, g, saved, g.dtype);
  }

  /** {@code op(a, b)} broadcast, in floating type {@code d}: the operands converted to d first. */
  private static Tensor floating(Binary op, Tensor a, Tensor b, DType d) {
    Tensor out = Tensor.empty(d, Shapes.broadcast(a.shape, b.shape));
    compute(op, a, b, out);
    return out;
  }

  /** {@code out = op(a, b)} in out's floating dtype, the operands converted to it first. */
  private static void compute(Binary op, Tensor a, Tensor b, Tensor out) {
    Tensor ca = as(a, out.dtype), cb = as(b, out.dtype);
    try {
      PointwiseKernels k = kernels(out.dtype);
      PointwiseLoops.run((sg, o, n) -> k.binary(op, sg[1], o[1], sg[2], o[2], sg[0], o[0], n), out, ca, cb);
    } finally {
      release(ca, a);
      release(cb, b);
    }
  }

  /** {@code out = op(a, s)}, a of out's floating type and shape. */
  private static void withScalar(WithScalar op, Tensor a, double s, Tensor out) {
    PointwiseKernels k = kernels(out.dtype);
    PointwiseLoops.run((sg, o, n) -> k.withScalar(op, sg[1], o[1], s, sg[0], o[0], n), out, a);
  }

  /** {@code f(a, b)} broadcast, in exact int64 arithmetic; the result has the promoted integer type. */
  private static Tensor binaryLong(Tensor a, Tensor b, LongBinaryOperator f) {
    long[] shape = Shapes.broadcast(a.shape, b.shape);
    Tensor out = Tensor.empty(Arithmetic.resultType(a, b), shape);
    mapLong(out, f, a, b);
    return out;
  }

  /** {@code out[i] = f(a[i], b[i])} on the elements as longs (bool 0/1), broadcast; the result stored in out's type. */
  static void mapLong(Tensor out, LongBinaryOperator f, Tensor a, Tensor b) {
    if (out.numel == 0) return;
    ElementKernels ko = out.kernels(), ka = a.kernels(), kb = b.kernels();
    StridedLoop loop = StridedLoop.of(out.shape, out, a, b);
    long so = loop.innerStrides[0], sa = loop.innerStrides[1], sb = loop.innerStrides[2];
    dev.vectorgrad.kernels.Parallel.forRows(loop.rows, loop.inner * 4, (from, to) -> loop.run(from, to, off -> {
      long o = off[0], i = off[1], j = off[2];
      for (long e = 0; e < loop.inner; e++, o += so, i += sa, j += sb) {
        ko.setLong(out.seg(), o, f.applyAsLong(ka.getLong(a.seg(), i), kb.getLong(b.seg(), j)));
      }
    }));
  }

  @FunctionalInterface
  interface Ternary {
    double apply(double x, double y, double z);
  }

  /** {@code out[i] = f(x[i], y[i], z[i])} in double, broadcast, any dtypes; the result rounded to out's. */
  static void map3(Tensor out, Ternary f, Tensor x, Tensor y, Tensor z) {
    if (out.numel == 0) return;
    ElementKernels ko = out.kernels(), kx = x.kernels(), ky = y.kernels(), kz = z.kernels();
    StridedLoop loop = StridedLoop.of(out.shape, out, x, y, z);
    long so = loop.innerStrides[0], sx = loop.innerStrides[1], sy = loop.innerStrides[2], sz = loop.innerStrides[3];
    dev.vectorgrad.kernels.Parallel.forRows(loop.rows, loop.inner * 4, (from, to) -> loop.run(from, to, off -> {
      long o = off[0], i = off[1], j = off[2], k = off[3];
      for (long e = 0; e < loop.inner; e++, o += so, i += sx, j += sy, k += sz) {
        ko.set(out.seg(), o, f.apply(kx.get(x.seg(), i), ky.get(y.seg(), j), kz.get(z.seg(), k)));
      }
    }));
  }

  /** A new tensor of {@code dtype} and {@code shape} holding {@code f(x, y)} (x, y broadcast to shape). */
  private static Tensor mapped(DType dtype, long[] shape, DoubleBinaryOperator f, Tensor x, Tensor y) {
    Tensor out = Tensor.empty(dtype, shape);
    Elementwise.map(out, f, x, y);
    return out;
  }

  /** A new tensor of {@code dtype} and {@code shape} holding {@code f(x, y, z)}. */
  private static Tensor mapped3(DType dtype, long[] shape, Ternary f, Tensor x, Tensor y, Tensor z) {
    Tensor out = Tensor.empty(dtype, shape);
    map3(out, f, x, y, z);
    return out;
  }
}
