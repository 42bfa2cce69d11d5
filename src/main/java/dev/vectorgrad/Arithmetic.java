package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.autograd.SavedTensor;
import dev.vectorgrad.kernels.BinaryOp;
import dev.vectorgrad.kernels.ElementKernels;
import java.lang.foreign.MemorySegment;
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
    DType dtype = resultType(a, b);
    long[] shape = Shapes.broadcast(a.shape, b.shape);
    Tensor out = shape == a.shape ? Tensor.empty(dtype, shape, a.numel) : Tensor.empty(dtype, shape);
    compute(op, a, b, out);
    if ((a.requiresGrad || b.requiresGrad) && ThreadState.current().gradEnabled) {
      out.requiresGrad = true;
      out.gradFn = new BinaryBackward(op, a, b);
    }
    return out;
  }

  /** {@code out = a op b} into an existing tensor, not recorded: PyTorch's {@code torch.add(a, b, out=out)}. */
  static Tensor binaryOut(BinaryOp op, Tensor a, Tensor b, Tensor out) {
    a.ensureOpen();
    b.ensureOpen();
    out.ensureOpen();
    if (ThreadState.current().gradEnabled && (a.requiresGrad || b.requiresGrad || out.requiresGrad)) {
      throw new IllegalStateException(op.name().toLowerCase(java.util.Locale.ROOT) + "(): functions with out=... "
          + "arguments don't support automatic differentiation, but one of the arguments requires grad.");
    }
    long[] shape = Shapes.broadcast(a.shape, b.shape);
    DType dtype = resultType(a, b);
    if (!Arrays.equals(out.shape, shape) || out.dtype != dtype) {
      throw new IllegalArgumentException("out= tensor of shape " + Shapes.list(out.shape) + " and dtype "
          + out.dtype.torchName() + " cannot hold the result of shape " + Shapes.list(shape) + " and dtype "
          + dtype.torchName() + " (vectorgrad does not resize out= tensors)");
    }
    compute(op, a, b, out);
    out.bumpVersion();
    return out;
  }

  /**
   * PyTorch's {@code result_type}: a 0-dim tensor does not promote a tensor with dims (it acts like a
   * Python scalar), otherwise float64 wins.
   */
  static DType resultType(Tensor a, Tensor b) {
    boolean aScalar = a.shape.length == 0, bScalar = b.shape.length == 0;
    if (aScalar != bScalar) return aScalar ? b.dtype : a.dtype;
    return DType.promote(a.dtype, b.dtype);
  }

  static Tensor withScalar(BinaryOp op, Tensor a, double s) {
    a.ensureOpen();
    Tensor out = Tensor.empty(a.dtype, a.shape, a.numel);
    out.kernels().binaryScalar(op, a.segment, 0, s, out.segment, 0, out.numel);
    if (a.requiresGrad && ThreadState.current().gradEnabled) {
      out.requiresGrad = true;
      out.gradFn = new ScalarBackward(op, s, a.gradEdge());
    }
    return out;
  }

  static Tensor neg(Tensor a) {
    a.ensureOpen();
    Tensor out = Tensor.empty(a.dtype, a.shape, a.numel);
    out.kernels().neg(a.segment, 0, out.segment, 0, out.numel);
    if (a.requiresGrad && ThreadState.current().gradEnabled) {
      out.requiresGrad = true;
      out.gradFn = new NegBackward(a.gradEdge());
    }
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

  /** {@code out = a op b}; out has the broadcast shape and the promoted dtype. */
  static void compute(BinaryOp op, Tensor a, Tensor b, Tensor out) {
    if (a.dtype == out.dtype && b.dtype == out.dtype) {
      computeSameType(op, a, b, out);
      return;
    }
    Tensor wa = a.dtype == out.dtype ? a : Casts.copyAs(a, out.dtype);
    Tensor wb = b.dtype == out.dtype ? b : Casts.copyAs(b, out.dtype);
    try {
      computeSameType(op, wa, wb, out);
    } finally {
      if (wa != a) wa.close();
      if (wb != b) wb.close();
    }
  }

  private static void computeSameType(BinaryOp op, Tensor a, Tensor b, Tensor out) {
    ElementKernels k = out.kernels();
    MemorySegment as = a.segment, bs = b.segment, os = out.segment;
    long n = out.numel;
    if (Arrays.equals(a.shape, out.shape) && Arrays.equals(b.shape, out.shape)) {
      k.binary(op, as, 0, bs, 0, os, 0, n);
    } else if (b.numel == 1 && Arrays.equals(a.shape, out.shape)) {
      k.binaryScalar(op, as, 0, k.get(bs, 0), os, 0, n);
    } else if (a.numel == 1 && Arrays.equals(b.shape, out.shape)) {
      k.scalarBinary(op, k.get(as, 0), bs, 0, os, 0, n);
    } else if (n > 0) {
      BroadcastPlan plan = BroadcastPlan.of(out.shape, a.shape, b.shape);
      long inner = plan.inner;
      for (long row = 0; row < plan.rows; row++) {
        long ao = plan.aOffset(row), bo = plan.bOffset(row), oo = row * inner;
        if (plan.aStep == 1 && plan.bStep == 1) {
          k.binary(op, as, ao, bs, bo, os, oo, inner);
        } else if (plan.aStep == 1) {
          k.binaryScalar(op, as, ao, k.get(bs, bo), os, oo, inner);
        } else if (plan.bStep == 1) {
          k.scalarBinary(op, k.get(as, ao), bs, bo, os, oo, inner);
        } else {
          k.fill(os, oo, inner, op.apply(k.get(as, ao), k.get(bs, bo)));
        }
      }
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
    private final DType aType, bType;
    private SavedTensor savedA, savedB;

    BinaryBackward(BinaryOp op, Tensor a, Tensor b) {
      super(a.gradEdge(), b.gradEdge());
      this.op = op;
      this.aShape = a.shape;
      this.bShape = b.shape;
      this.aType = a.dtype;
      this.bType = b.dtype;
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
      Tensor ga = null, gb = null;
      boolean aNeeds = needsInputGrad(0), bNeeds = needsInputGrad(1);
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
      return new Tensor[] {ga, gb};
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
      return new Tensor[] {switch (op) {
        case ADD, SUB -> g;
        case MUL -> {
          checkNotReleased();
          yield g.mul(s);
        }
        case DIV -> {
          checkNotReleased();
          yield g.div(s);
        }
      }};
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
