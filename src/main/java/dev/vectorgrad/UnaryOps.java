package dev.vectorgrad;

import dev.vectorgrad.kernels.PointwiseKernels;

import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.autograd.SavedTensor;
import dev.vectorgrad.kernels.UnaryOp;

/**
 * Elementwise functions of one tensor: the math of {@code torch.exp} and friends, clamp, the
 * activations behind {@code nn.Functional}, and the bool tests {@code isnan}/{@code isinf}/
 * {@code isfinite}. Each op is one {@code Op} row below, as a line of PyTorch's
 * {@code derivatives.yaml}: its generated kernel, its node name, what its derivative reads (the
 * input or the result) and the derivative itself.
 */
final class UnaryOps {
  private UnaryOps() {}

  private static final double LN2 = Math.log(2), LN10 = Math.log(10);
  private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

  /** What a derivative reads besides the incoming gradient. */
  private enum Saves { NOTHING, INPUT, RESULT }

  /** {@code d(op)}: the input's gradient from the output's gradient {@code g}, the input {@code x} and the result {@code y}. */
  @FunctionalInterface
  private interface Derivative {
    Tensor apply(Tensor g, Tensor x, Tensor y);
  }

  /** One unary op: its kernel and parameters, PyTorch's node name, what it saves and its derivative. */
  private record Op(UnaryOp kernel, double p1, double p2, String node, Saves saves, Derivative d) {}

  private static Op op(UnaryOp kernel, String node, Saves saves, Derivative d) {
    return new Op(kernel, 0, 0, node, saves, d);
  }

  // ------------------------------------------------------------------ the ops (forward kernel, node, derivative)

  private static final Op EXP = op(UnaryOp.EXP, "ExpBackward0", Saves.RESULT, (g, x, y) -> g.mul(y));
  private static final Op EXP2 = op(UnaryOp.EXP2, "Exp2Backward0", Saves.RESULT, (g, x, y) -> g.mul(y).mul(LN2));
  private static final Op EXPM1 = op(UnaryOp.EXPM1, "Expm1Backward0", Saves.RESULT, (g, x, y) -> g.mul(y.add(1.0)));
  private static final Op LOG = op(UnaryOp.LOG, "LogBackward0", Saves.INPUT, (g, x, y) -> g.div(x));
  private static final Op LOG2 = op(UnaryOp.LOG2, "Log2Backward0", Saves.INPUT, (g, x, y) -> g.div(x.mul(LN2)));
  private static final Op LOG10 = op(UnaryOp.LOG10, "Log10Backward0", Saves.INPUT, (g, x, y) -> g.div(x.mul(LN10)));
  private static final Op LOG1P = op(UnaryOp.LOG1P, "Log1PBackward0", Saves.INPUT, (g, x, y) -> g.div(x.add(1.0)));
  private static final Op SQRT = op(UnaryOp.SQRT, "SqrtBackward0", Saves.RESULT, (g, x, y) -> g.div(y.mul(2.0)));
  private static final Op RSQRT = op(UnaryOp.RSQRT, "RsqrtBackward0", Saves.RESULT,
      (g, x, y) -> g.mul(-0.5).mul(y.mul(y).mul(y)));
  private static final Op ABS = op(UnaryOp.ABS, "AbsBackward0", Saves.INPUT, (g, x, y) -> g.mul(x.sign()));
  private static final Op SIGN = op(UnaryOp.SIGN, "SignBackward0", Saves.NOTHING, (g, x, y) -> zerosLike(g));
  private static final Op RECIPROCAL = op(UnaryOp.RECIPROCAL, "ReciprocalBackward0", Saves.RESULT,
      (g, x, y) -> g.neg().mul(y.mul(y)));
  // PyTorch 1.13 implements square as pow(x, 2)
  private static final Op SQUARE = op(UnaryOp.SQUARE, "PowBackward0", Saves.INPUT, (g, x, y) -> g.mul(x.mul(2.0)));
  private static final Op SIN = op(UnaryOp.SIN, "SinBackward0", Saves.INPUT, (g, x, y) -> g.mul(x.cos()));
  private static final Op COS = op(UnaryOp.COS, "CosBackward0", Saves.INPUT, (g, x, y) -> g.mul(x.sin().neg()));
  private static final Op TAN = op(UnaryOp.TAN, "TanBackward0", Saves.RESULT, (g, x, y) -> g.mul(y.mul(y).add(1.0)));
  private static final Op ASIN = op(UnaryOp.ASIN, "AsinBackward0", Saves.INPUT,
      (g, x, y) -> g.mul(x.mul(x).neg().add(1.0).rsqrt()));
  private static final Op ACOS = op(UnaryOp.ACOS, "AcosBackward0", Saves.INPUT,
      (g, x, y) -> g.mul(x.mul(x).neg().add(1.0).rsqrt().neg()));
  private static final Op ATAN = op(UnaryOp.ATAN, "AtanBackward0", Saves.INPUT, (g, x, y) -> g.div(x.mul(x).add(1.0)));
  private static final Op SINH = op(UnaryOp.SINH, "SinhBackward0", Saves.INPUT, (g, x, y) -> g.mul(x.cosh()));
  private static final Op COSH = op(UnaryOp.COSH, "CoshBackward0", Saves.INPUT, (g, x, y) -> g.mul(x.sinh()));
  private static final Op TANH = op(UnaryOp.TANH, "TanhBackward0", Saves.RESULT,
      (g, x, y) -> Pointwise.derivative(PointwiseKernels.Binary.TANH_BACKWARD, g, y));
  private static final Op SIGMOID = op(UnaryOp.SIGMOID, "SigmoidBackward0", Saves.RESULT,
      (g, x, y) -> Pointwise.derivative(PointwiseKernels.Binary.SIGMOID_BACKWARD, g, y));
  // threshold_backward(grad, result, 0): no gradient where the result is <= 0 (NaN results pass it on)
  private static final Op RELU = op(UnaryOp.RELU, "ReluBackward0", Saves.RESULT,
      (g, x, y) -> Pointwise.derivative(PointwiseKernels.Binary.THRESHOLD_BACKWARD, g, y));
  private static final Op ERF = op(UnaryOp.ERF, "ErfBackward0", Saves.INPUT,
      (g, x, y) -> map(g, (gv, xv) -> gv * (TWO_OVER_SQRT_PI * Math.exp(-(xv * xv))), x));
  private static final Op FLOOR = op(UnaryOp.FLOOR, "FloorBackward0", Saves.NOTHING, (g, x, y) -> zerosLike(g));
  private static final Op CEIL = op(UnaryOp.CEIL, "CeilBackward0", Saves.NOTHING, (g, x, y) -> zerosLike(g));
  private static final Op ROUND = op(UnaryOp.ROUND, "RoundBackward0", Saves.NOTHING, (g, x, y) -> zerosLike(g));
  private static final Op TRUNC = op(UnaryOp.TRUNC, "TruncBackward0", Saves.NOTHING, (g, x, y) -> zerosLike(g));
  private static final Op FRAC = op(UnaryOp.FRAC, "FracBackward0", Saves.NOTHING, (g, x, y) -> g);

  static Tensor exp(Tensor t) { return floating(t, EXP); }
  static Tensor exp2(Tensor t) { return floating(t, EXP2); }
  static Tensor expm1(Tensor t) { return floating(t, EXPM1); }
  static Tensor log(Tensor t) { return floating(t, LOG); }
  static Tensor log2(Tensor t) { return floating(t, LOG2); }
  static Tensor log10(Tensor t) { return floating(t, LOG10); }
  static Tensor log1p(Tensor t) { return floating(t, LOG1P); }
  static Tensor sqrt(Tensor t) { return floating(t, SQRT); }
  static Tensor rsqrt(Tensor t) { return floating(t, RSQRT); }
  static Tensor reciprocal(Tensor t) { return floating(t, RECIPROCAL); }
  static Tensor sin(Tensor t) { return floating(t, SIN); }
  static Tensor cos(Tensor t) { return floating(t, COS); }
  static Tensor tan(Tensor t) { return floating(t, TAN); }
  static Tensor asin(Tensor t) { return floating(t, ASIN); }
  static Tensor acos(Tensor t) { return floating(t, ACOS); }
  static Tensor atan(Tensor t) { return floating(t, ATAN); }
  static Tensor sinh(Tensor t) { return floating(t, SINH); }
  static Tensor cosh(Tensor t) { return floating(t, COSH); }
  static Tensor tanh(Tensor t) { return floating(t, TANH); }
  static Tensor sigmoid(Tensor t) { return floating(t, SIGMOID); }
  static Tensor erf(Tensor t) { return floating(t, ERF); }

  /** abs keeps integer dtypes (bool is refused, as PyTorch's kernel has none). */
  static Tensor abs(Tensor t) {
    if (t.dtype == DType.BOOL) throw notImplemented("abs_cpu", t.dtype);
    return t.dtype == DType.INT64 ? integral(t, Math::abs) : floating(t, ABS);
  }

  static Tensor sign(Tensor t) {
    return t.dtype.isFloatingPoint() ? floating(t, SIGN) : integral(t, v -> Long.signum(v));
  }

  /** x * x; integers stay integers (bool squares to int64, as PyTorch's pow). */
  static Tensor square(Tensor t) {
    if (t.dtype.isFloatingPoint()) return floating(t, SQUARE);
    try (Tensor wide = Casts.copyAs(t, DType.INT64)) {
      return integral(wide, v -> v * v);
    }
  }

  /** relu keeps integer dtypes. */
  static Tensor relu(Tensor t) {
    if (t.dtype == DType.BOOL) throw new IllegalArgumentException("Boolean inputs not supported for relu");
    return t.dtype == DType.INT64 ? integral(t, v -> Math.max(v, 0)) : floating(t, RELU);
  }

  /** Rounding ops return int64 inputs unchanged (a copy), as PyTorch; bool has no kernel. */
  static Tensor floor(Tensor t) { return rounding(t, FLOOR, "floor_vml_cpu"); }
  static Tensor ceil(Tensor t) { return rounding(t, CEIL, "ceil_vml_cpu"); }
  static Tensor round(Tensor t) { return rounding(t, ROUND, "round_vml_cpu"); }
  static Tensor trunc(Tensor t) { return rounding(t, TRUNC, "trunc_vml_cpu"); }

  private static Tensor rounding(Tensor t, Op op, String kernel) {
    if (t.dtype == DType.BOOL) throw notImplemented(kernel, t.dtype);
    return t.dtype.isFloatingPoint() ? floating(t, op) : Copies.cloneOf(t);
  }

  /** PyTorch's activation kernels exist for floating point only. */
  private static Tensor activation(Tensor t, String kernel, Op op) {
    if (!t.dtype.isFloatingPoint()) throw notImplemented(kernel, t.dtype);
    return floating(t, op);
  }

  static Tensor frac(Tensor t) {
    if (!t.dtype.isFloatingPoint()) throw notImplemented("frac_cpu", t.dtype);
    return floating(t, FRAC);
  }

  private static IllegalArgumentException notImplemented(String kernel, DType dtype) {
    return new IllegalArgumentException("\"" + kernel + "\" not implemented for '" + dtype.scalarTypeName() + "'");
  }

  // ------------------------------------------------------------------ activations (nn.Functional)

  static Tensor leakyRelu(Tensor t, double slope) {
    return activation(t, "leaky_relu_cpu", new Op(UnaryOp.LEAKY_RELU, slope, 0, "LeakyReluBackward0", Saves.INPUT,
        (g, x, y) -> map(g, (gv, xv) -> xv > 0 ? gv : gv * slope, x)));
  }

  static Tensor elu(Tensor t, double alpha) {
    // PyTorch's elu_backward tests x <= 0, so a NaN input passes the gradient through
    return activation(t, "elu_cpu", new Op(UnaryOp.ELU, alpha, 0, "EluBackward0", Saves.INPUT,
        (g, x, y) -> map(g, (gv, xv) -> xv <= 0 ? gv * alpha * Math.exp(xv) : gv, x)));
  }

  static Tensor gelu(Tensor t, boolean tanh) {
    Derivative d = tanh
        ? (g, x, y) -> map(g, (gv, xv) -> gv * geluTanhDerivative(xv), x)
        : (g, x, y) -> map(g, (gv, xv) -> gv * geluDerivative(xv), x);
    return activation(t, "GeluKernelImpl", op(tanh ? UnaryOp.GELU_TANH : UnaryOp.GELU, "GeluBackward0", Saves.INPUT, d));
  }

  /** d/dx of x * Phi(x): Phi(x) + x * phi(x). */
  private static double geluDerivative(double x) {
    double cdf = 0.5 * (1 + dev.vectorgrad.kernels.ScalarMath.erf(x * Math.sqrt(0.5)));
    double pdf = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    return cdf + x * pdf;
  }

  private static double geluTanhDerivative(double x) {
    double beta = Math.sqrt(2 / Math.PI), kappa = 0.044715;
    double inner = beta * (x + kappa * x * x * x);
    double th = Math.tanh(inner);
    return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * beta * (1 + 3 * kappa * x * x);
  }

  static Tensor silu(Tensor t) {
    return activation(t, "silu_cpu", op(UnaryOp.SILU, "SiluBackward0", Saves.INPUT, (g, x, y) -> map(g, (gv, xv) -> {
      double s = 1 / (1 + Math.exp(-xv));
      return gv * s * (1 + xv * (1 - s));
    }, x)));
  }

  static Tensor mish(Tensor t) {
    return activation(t, "mish_cpu", op(UnaryOp.MISH, "MishBackward0", Saves.INPUT, (g, x, y) -> map(g, (gv, xv) -> {
      double th = Math.tanh(Math.log1p(Math.exp(xv)));
      double s = 1 / (1 + Math.exp(-xv));
      return gv * (th + xv * s * (1 - th * th));
    }, x)));
  }

  static Tensor softplus(Tensor t, double beta, double threshold) {
    return activation(t, "softplus_cpu", new Op(UnaryOp.SOFTPLUS, beta, threshold, "SoftplusBackward0", Saves.INPUT,
        (g, x, y) -> map(g, (gv, xv) -> {
          if (xv * beta > threshold) return gv;
          double z = Math.exp(xv * beta);
          return gv * z / (z + 1);
        }, x)));
  }

  /** hardtanh: clamp to [min, max] with no gradient at or beyond the bounds. */
  static Tensor hardtanh(Tensor t, double min, double max) {
    if (t.dtype == DType.BOOL) throw new IllegalArgumentException("Bool inputs not supported for hardtanh");
    if (t.dtype == DType.INT64) {   // PyTorch clamps integers in place of their dtype
      long lo = (long) min, hi = (long) max;
      return integral(t, v -> Math.min(Math.max(v, lo), hi));
    }
    return floating(t, new Op(UnaryOp.CLAMP, min, max, "HardtanhBackward0", Saves.INPUT,
        (g, x, y) -> map(g, (gv, xv) -> xv <= min || xv >= max ? 0 : gv, x)));
  }

  /** clamp with scalar bounds (NaN: no bound): the gradient passes where min <= x <= max. */
  static Tensor clamp(Tensor t, double min, double max) {
    double lo = Double.isNaN(min) ? Double.NEGATIVE_INFINITY : min, hi = Double.isNaN(max) ? Double.POSITIVE_INFINITY : max;
    String node = Double.isNaN(max) ? "ClampMinBackward0" : Double.isNaN(min) ? "ClampMaxBackward0" : "ClampBackward1";
    Op op = new Op(UnaryOp.CLAMP, lo, hi, node, Saves.INPUT,
        (g, x, y) -> map(g, (gv, xv) -> xv >= lo && xv <= hi ? gv : 0, x));
    return floating(t, op);   // the bounds are Python floats: integer tensors clamp in float32, as PyTorch
  }

  /** clamp_ in place. */
  static Tensor clampInPlace(Tensor t, double min, double max) {
    double lo = Double.isNaN(min) ? Double.NEGATIVE_INFINITY : min, hi = Double.isNaN(max) ? Double.POSITIVE_INFINITY : max;
    return inPlace(t, new Op(UnaryOp.CLAMP, lo, hi, "ClampBackward1", Saves.INPUT,
        (g, x, y) -> map(g, (gv, xv) -> xv >= lo && xv <= hi ? gv : 0, x)));
  }

  // ------------------------------------------------------------------ bool tests, nan_to_num

  static Tensor isnan(Tensor t) {
    return test(t, Double::isNaN);
  }

  static Tensor isinf(Tensor t) {
    return test(t, Double::isInfinite);
  }

  static Tensor isfinite(Tensor t) {
    return test(t, Double::isFinite);
  }

  private static Tensor test(Tensor t, java.util.function.DoublePredicate p) {
    t.ensureOpen();
    Tensor out = Tensor.empty(DType.BOOL, t.shape, t.numel);
    if (t.dtype.isFloatingPoint()) Elementwise.map(out, x -> p.test(x) ? 1 : 0, t);
    else Elementwise.fill(out, p.test(0) ? 1 : 0);   // integers are finite numbers
    return out;
  }

  /** NaN to {@code nan}, infinities to {@code posinf}/{@code neginf} (NaN: the dtype's extreme finite values). */
  static Tensor nanToNum(Tensor t, double nan, double posinf, double neginf) {
    t.ensureOpen();
    if (!t.dtype.isFloatingPoint()) return Copies.cloneOf(t);
    double max = t.dtype == DType.FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE;
    double pos = Double.isNaN(posinf) ? max : posinf, neg = Double.isNaN(neginf) ? -max : neginf;
    Tensor out = Tensor.empty(t.dtype, t.shape, t.numel);
    Elementwise.map(out, x -> Double.isNaN(x) ? nan : x == Double.POSITIVE_INFINITY ? pos
        : x == Double.NEGATIVE_INFINITY ? neg : x, t);
    if (t.recordsGrad()) {
      out.setHistory(new UnaryBackward("NanToNumBackward0", Saves.INPUT, t.gradEdge(),
          (g, x, y) -> map(g, (gv, xv) -> Double.isFinite(xv) ? gv : 0, x), t, null));
    }
    return out;
  }

  // ------------------------------------------------------------------ drivers

  /**
   * A floating point op: integer and bool inputs compute in float32, as PyTorch's default dtype
   * (they never require grad, so nothing is recorded for them).
   */
  private static Tensor floating(Tensor t, Op op) {
    t.ensureOpen();
    DType dtype = t.dtype.isFloatingPoint() ? t.dtype : DType.FLOAT32;
    Tensor out = Tensor.empty(dtype, t.shape, t.numel);
    if (!Fusion.deferUnary(op.kernel, op.p1, op.p2, t, out)) {   // else pending: computed when read
      Tensor src = t.dtype == dtype ? t : Casts.copyAs(t, dtype);
      try {
        Elementwise.unary((k, a, ao, o, oo, n) -> k.unary(op.kernel, op.p1, op.p2, a, ao, o, oo, n), src, out);
      } finally {
        if (src != t) src.close();
      }
    }
    if (t.recordsGrad()) {
      out.setHistory(new UnaryBackward(op.node, op.saves, t.gradEdge(), op.d, op.saves == Saves.INPUT ? t : null,
          op.saves == Saves.RESULT ? out : null));
    }
    return out;
  }

  /** An int64 op in exact long arithmetic (never recorded). */
  private static Tensor integral(Tensor t, java.util.function.LongUnaryOperator f) {
    t.ensureOpen();
    Tensor out = Tensor.empty(t.dtype, t.shape, t.numel);
    var k = t.kernels();
    var ko = out.kernels();
    StridedLoop loop = StridedLoop.of(t.shape, out, t);
    long so = loop.innerStrides[0], si = loop.innerStrides[1];
    if (t.numel > 0) {
      loop.run(0, loop.rows, off -> {
        long o = off[0], i = off[1];
        for (long e = 0; e < loop.inner; e++, o += so, i += si) ko.setLong(out.seg(), o, f.applyAsLong(k.getLong(t.seg(), i)));
      });
    }
    return out;
  }

  /** exp_, relu_, sigmoid_, tanh_: the op written over {@code t}, recorded as PyTorch's in-place node. */
  static Tensor inPlace(Tensor t, String name) {
    Op op = switch (name) {
      case "exp" -> EXP;
      case "relu" -> RELU;
      case "sigmoid" -> SIGMOID;
      case "tanh" -> TANH;
      default -> throw new IllegalArgumentException(name);
    };
    return inPlace(t, op);
  }

  private static Tensor inPlace(Tensor t, Op op) {
    t.ensureOpen();
    if (op == RELU && t.dtype == DType.INT64) {   // relu_ keeps integers (the others compute in float)
      InPlace.checkWritable(t);
      InPlace.gradRecorded(t, false);
      try (Tensor r = integral(t, v -> Math.max(v, 0))) {
        Elementwise.copy(r, t);
      }
      InPlace.finish(t, null);
      return t;
    }
    if (op == RELU && t.dtype == DType.BOOL) throw new IllegalArgumentException("Boolean inputs not supported for relu");
    boolean record = InPlace.gradRecorded(t, t.requiresGrad());   // autograd's refusals first, as PyTorch
    boolean clamp = op.kernel() == UnaryOp.CLAMP;
    // TensorIterator checks memory overlap before dtypes; clamp_'s meta function checks its promotion of the
    // float bounds itself, before it builds the iterator (PyTorch 1.13: TORCH_META_FUNC(clamp))
    if (!clamp) InPlace.checkWritable(t);
    if (!t.dtype.isFloatingPoint()) {
      // clamp_'s message names the C++ type (PyTorch 1.13: "... output type long int", "... type bool")
      throw new IllegalArgumentException("result type Float can't be cast to the desired output type "
          + (clamp ? (t.dtype == DType.INT64 ? "long int" : "bool") : t.dtype.scalarTypeName()));
    }
    if (clamp) InPlace.checkWritable(t);
    UnaryBackward node = null;
    if (record) {
      // The input's old values are gone after the write: ops that read them save a copy (PyTorch
      // saves self before the in-place write as well); ops that read the result save t afterwards.
      Tensor input = op.saves == Saves.INPUT ? Casts.copyAs(t, t.dtype) : null;
      node = new UnaryBackward(op.node, op.saves, t.gradEdge(), op.d, input, null);
    }
    Elementwise.unary((k, a, ao, o, oo, n) -> k.unary(op.kernel, op.p1, op.p2, a, ao, o, oo, n), t, t);
    InPlace.finish(t, node);
    if (node != null && op.saves == Saves.RESULT) node.saveResult(t);
    return t;
  }

  private static Tensor zerosLike(Tensor g) {
    return Tensor.zeros(g.dtype, g.shape);
  }

  /** {@code f(g[i], x[i])} as a new tensor of g's dtype: the elementwise derivatives without a vector kernel. */
  private static Tensor map(Tensor g, java.util.function.DoubleBinaryOperator f, Tensor x) {
    Tensor out = Tensor.empty(g.dtype, Shapes.broadcast(g.shape, x.shape));
    Elementwise.map(out, f, g, x);
    return out;
  }

  /** The node of every unary op: saves the input or the result, then applies the op's derivative. */
  static final class UnaryBackward extends Node {
    private final String name;
    private final Derivative derivative;
    private final boolean needsSaved;
    private SavedTensor input, result;

    UnaryBackward(String name, Saves saves, Node edge, Derivative derivative, Tensor input, Tensor result) {
      super(edge);
      this.name = name;
      this.derivative = derivative;
      this.needsSaved = saves != Saves.NOTHING;
      this.input = input == null ? null : new SavedTensor(input);
      this.result = result == null ? null : new SavedTensor(result, this);
    }

    void saveResult(Tensor t) {
      result = new SavedTensor(t, this);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      if (needsSaved) checkNotReleased();
      Tensor x = input == null ? null : input.get();
      Tensor y = result == null ? null : result.get();
      return new Tensor[] {derivative.apply(g, x, y)};
    }

    @Override
    protected void releaseSaved() {
      if (input != null) input.release();
      if (result != null) result.release();
    }
  }
}
