package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.autograd.SavedTensor;
import dev.vectorgrad.kernels.BinaryOp;
import dev.vectorgrad.kernels.ElementKernels;
import dev.vectorgrad.kernels.UnaryOp;
import java.util.Arrays;

/**
 * add, sub, mul, div (tensor-tensor with broadcasting, and tensor-scalar) and neg: each op's forward
 * kernel call and its derivative, side by side.
 */
final class Arithmetic {
  private Arithmetic() {}

  // ------------------------------------------------------------------ forward

  static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    a.ensureOpen();
    b.ensureOpen();
    checkBool(op, a.dtype, b.dtype);
    DType dtype = computeType(op, resultType(a, b));
    long[] shape = Shapes.broadcast(a.shape, b.shape);
    ThreadState state = ThreadState.current();
    Tensor out = Tensor.empty(state, dtype, shape, shape == a.shape ? a.numel : Shapes.numel(shape));
    if (!Fusion.deferBinary(op, a, b, out)) compute(op, a, b, out);   // pending: computed when read
    if ((a.requiresGrad() || b.requiresGrad()) && state.gradEnabled) {
      out.setHistory(new BinaryBackward(op, a, b));
    }
    return out;
  }

  /** {@code out = a op b} into an existing tensor, not recorded: PyTorch's {@code torch.add(a, b, out=out)}. */
  static Tensor binaryOut(BinaryOp op, Tensor a, Tensor b, Tensor out) {
    a.ensureOpen();
    b.ensureOpen();
    out.ensureOpen();
    if (ThreadState.current().gradEnabled && (a.requiresGrad() || b.requiresGrad() || out.requiresGrad())) {
      throw new IllegalStateException(op.name().toLowerCase(java.util.Locale.ROOT) + "(): functions with out=... "
          + "arguments don't support automatic differentiation, but one of the arguments requires grad.");
    }
    checkBool(op, a.dtype, b.dtype);
    long[] shape = Shapes.broadcast(a.shape, b.shape);
    DType dtype = computeType(op, resultType(a, b));
    if (!Arrays.equals(out.shape, shape) || out.dtype != dtype) {
      throw new IllegalArgumentException("out= tensor of shape " + Shapes.list(out.shape) + " and dtype "
          + out.dtype.torchName() + " cannot hold the result of shape " + Shapes.list(shape) + " and dtype "
          + dtype.torchName() + " (vectorgrad does not resize out= tensors)");
    }
    InPlace.checkWritable(out);
    compute(op, a, b, out);
    out.bumpVersion();
    return out;
  }

  /**
   * PyTorch's {@code result_type} of two tensors: tensors with dims decide first; 0-dim tensors
   * (like Python scalars) promote them only when of a higher category (bool, integer, floating).
   */
  static DType resultType(Tensor a, Tensor b) {
    DType dims = null, zeroDim = null;
    for (Tensor t : new Tensor[] {a, b}) {
      if (t.shape.length == 0) zeroDim = zeroDim == null ? t.dtype : DType.promote(zeroDim, t.dtype);
      else dims = dims == null ? t.dtype : DType.promote(dims, t.dtype);
    }
    return combine(dims, zeroDim);
  }

  /** The result type of a tensor of {@code t} with a Python scalar: an int ({@code integral}) or a float. */
  static DType resultType(DType t, boolean integral) {
    return combine(t, integral ? DType.INT64 : DType.FLOAT32);   // a Python float is the default dtype
  }

  /** PyTorch's {@code combine_categories}: the higher-priority type wins unless the lower one is of a higher category. */
  static DType combine(DType higher, DType lower) {
    if (higher == null) return lower;
    if (lower == null || higher.isFloatingPoint()) return higher;
    if (higher == DType.BOOL || lower.isFloatingPoint()) return DType.promote(higher, lower);
    return higher;
  }

  /** The dtype an op computes and returns in: true division of integers is float32 (the default dtype). */
  private static DType computeType(BinaryOp op, DType resultType) {
    return op == BinaryOp.DIV && !resultType.isFloatingPoint() ? DType.FLOAT32 : resultType;
  }

  /** PyTorch's refusals of {@code -} on bool tensors. */
  private static void checkBool(BinaryOp op, DType a, DType b) {
    if (op != BinaryOp.SUB) return;
    if (a == DType.BOOL && b == DType.BOOL) {
      throw new IllegalArgumentException("Subtraction, the `-` operator, with two bool tensors is not supported. "
          + "Use the `^` or `logical_xor()` operator instead.");
    }
    if (a == DType.BOOL || b == DType.BOOL) {
      throw new IllegalArgumentException("Subtraction, the `-` operator, with a bool tensor is not supported. "
          + "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
    }
  }

  /** {@code a op s} for a Python scalar: an int when {@code integral} (the long overloads), else a float. */
  static Tensor withScalar(BinaryOp op, Tensor a, double s, boolean integral) {
    a.ensureOpen();
    checkBool(op, a.dtype, integral ? DType.INT64 : DType.FLOAT32);
    DType dtype = computeType(op, resultType(a.dtype, integral));
    ThreadState state = ThreadState.current();
    Tensor out = Tensor.empty(state, dtype, a.shape, a.numel);
    boolean record = state.gradEnabled && a.requiresGrad();
    if (Fusion.deferScalar(op, a, s, out)) {
      if (record) out.setHistory(new ScalarBackward(op, s, a.gradEdge()));
      return out;
    }
    Tensor src = a.dtype == dtype ? a : Casts.copyAs(a, dtype);
    try {
      Elementwise.unary((k, x, xo, o, oo, n) -> k.binaryScalar(op, x, xo, s, o, oo, n), src, out);
    } finally {
      if (src != a) src.close();
    }
    if (record) out.setHistory(new ScalarBackward(op, s, a.gradEdge()));
    return out;
  }

  /**
   * {@code a op s} for a Python int: exact in int64 (as a 0-dim int64 operand, so values above 2^53
   * survive); for floating results the same as the double scalar.
   */
  static Tensor withLong(BinaryOp op, Tensor a, long s) {
    a.ensureOpen();
    DType dtype = computeType(op, resultType(a.dtype, true));
    if (dtype != DType.INT64) return withScalar(op, a, s, true);
    checkBool(op, a.dtype, DType.INT64);
    Tensor out = Tensor.empty(dtype, a.shape, a.numel);
    try (Tensor scalar = Tensor.empty(DType.INT64, Shapes.SCALAR, 1)) {
      scalar.kernels().setLong(scalar.seg(), scalar.offset, s);
      compute(op, a, scalar, out);
    }
    return out;
  }

  static Tensor neg(Tensor a) {
    a.ensureOpen();
    if (a.dtype == DType.BOOL) {
      throw new IllegalArgumentException("Negation, the `-` operator, on a bool tensor is not supported. "
          + "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
    }
    Tensor out = Tensor.empty(a.dtype, a.shape, a.numel);
    // pending (a floating result: the NEG formula, the kernels' sign flip), else computed now
    if (!Fusion.deferUnary(UnaryOp.NEG, 0, 0, a, out)) Elementwise.unary(ElementKernels::neg, a, out);
    if (a.recordsGrad()) out.setHistory(new NegBackward(a.gradEdge()));
    return out;
  }

  /** {@code dst += src} without recording, {@code src} broadcast to {@code dst}'s shape. */
  static void addInto(Tensor dst, Tensor src) {
    if (resultType(dst, src) == dst.dtype) {
      compute(BinaryOp.ADD, dst, src, dst);
      return;
    }
    // PyTorch adds in the promoted type and rounds the sum once into dst's type.
    try (var noGrad = GradMode.noGrad(); Tensor wide = binary(BinaryOp.ADD, dst, src)) {
      Casts.convert(wide, dst);
    }
  }

  /** {@code out = a op b}; out has the broadcast shape; the operands are converted to its dtype first. */
  static void compute(BinaryOp op, Tensor a, Tensor b, Tensor out) {
    if (a.dtype == out.dtype && b.dtype == out.dtype) {
      Elementwise.binary(op, a, b, out);
      return;
    }
    Tensor wa = a.dtype == out.dtype ? a : Casts.copyAs(a, out.dtype);
    Tensor wb = b.dtype == out.dtype ? b : Casts.copyAs(b, out.dtype);
    try {
      Elementwise.binary(op, wa, wb, out);
    } finally {
      if (wa != a) wa.close();
      if (wb != b) wb.close();
    }
  }

  // ------------------------------------------------------------------ derivatives

  /** PyTorch's node names: the same for the tensor and the scalar form of each op. */
  private static String nodeName(BinaryOp op) {
    return switch (op) {
      case ADD -> "AddBackward0";
      case SUB -> "SubBackward0";
      case MUL -> "MulBackward0";
      case DIV -> "DivBackward0";
    };
  }

  /** d(a op b): PyTorch's formulas from derivatives.yaml, each reduced to its input's shape and dtype. */
  static final class BinaryBackward extends Node {
    private final BinaryOp op;
    private final long[] aShape, bShape;
    private static final DType[] DTYPES = DType.values();
    /** The inputs' dtypes as ordinals: a byte each keeps the node at 72 bytes. */
    private final byte aType, bType;
    private SavedTensor savedA, savedB;

    BinaryBackward(BinaryOp op, Tensor a, Tensor b) {
      super(a.gradEdge(), b.gradEdge());
      this.op = op;
      this.aShape = a.shape;
      this.bShape = b.shape;
      this.aType = (byte) a.dtype.ordinal();
      this.bType = (byte) b.dtype.ordinal();
      // Save only what the derivative reads: mul needs the other operand, div needs b (and a for b's grad).
      boolean aNeeds = needsInputGrad(0), bNeeds = needsInputGrad(1);
      if (op == BinaryOp.MUL) {
        if (aNeeds) savedB = new SavedTensor(b);
        if (bNeeds) savedA = new SavedTensor(a);
      } else if (op == BinaryOp.DIV) {
        savedB = new SavedTensor(b);
        if (bNeeds) savedA = new SavedTensor(a);
      }
    }

    @Override
    public String name() {
      return nodeName(op);
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor[] grads = new Tensor[2];
      applyTo(g, grads);
      return grads;
    }

    @Override
    protected void applyTo(Tensor g, Tensor[] grads) {
      Tensor ga = null, gb = null;
      boolean aNeeds = needsInputGrad(0), bNeeds = needsInputGrad(1);
      DType aType = DTYPES[this.aType], bType = DTYPES[this.bType];
      switch (op) {
        case ADD -> {
          if (aNeeds) ga = GradShapes.reduceTo(g, aShape, aType);
          if (bNeeds) gb = GradShapes.reduceTo(g, bShape, bType);
        }
        case SUB -> {
          if (aNeeds) ga = GradShapes.reduceTo(g, aShape, aType);
          if (bNeeds) gb = GradShapes.reduceTo(g.neg(), bShape, bType);
        }
        case MUL -> {
          if (aNeeds) ga = GradShapes.reduceTo(g.mul(savedB.get()), aShape, aType);
          if (bNeeds) gb = GradShapes.reduceTo(g.mul(savedA.get()), bShape, bType);
        }
        case DIV -> {
          Tensor b = savedB.get();
          if (aNeeds) ga = GradShapes.reduceTo(g.div(b), aShape, aType);
          if (bNeeds) gb = GradShapes.reduceTo(g.neg().mul(savedA.get().div(b).div(b)), bShape, bType);
        }
      }
      grads[0] = ga;
      grads[1] = gb;
    }

    @Override
    protected void releaseSaved() {
      if (savedA != null) savedA.release();
      if (savedB != null) savedB.release();
    }
  }

  /** d(a op s) for a scalar s: mul and div save s, so PyTorch refuses a second pass through them. */
  static final class ScalarBackward extends Node {
    private final BinaryOp op;
    private final double s;

    ScalarBackward(BinaryOp op, double s, Node edge) {
      super(edge);
      this.op = op;
      this.s = s;
    }

    @Override
    public String name() {
      return nodeName(op);
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      return new Tensor[] {grad(g)};
    }

    @Override
    protected void applyTo(Tensor g, Tensor[] grads) {
      grads[0] = grad(g);
    }

    private Tensor grad(Tensor g) {
      return switch (op) {
        case ADD, SUB -> g;
        case MUL -> {
          checkNotReleased();
          yield g.mul(s);
        }
        case DIV -> {
          checkNotReleased();
          yield g.div(s);
        }
      };
    }
  }

  static final class NegBackward extends Node {
    NegBackward(Node edge) {
      super(edge);
    }

    @Override
    public String name() {
      return "NegBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      return new Tensor[] {g.neg()};
    }
  }
}
