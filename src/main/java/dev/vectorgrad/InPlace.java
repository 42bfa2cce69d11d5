package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.kernels.BinaryOp;
import java.util.Arrays;

/**
 * In-place ops: they bump the version counter (so saved tensors notice), refuse leaves that
 * require grad while grad mode is on, and, on a tensor that is part of a graph, replace its
 * {@code gradFn} by a node whose edge leads to the old one (PyTorch's history rebase).
 */
final class InPlace {
  private InPlace() {}

  static Tensor fill(Tensor t, double value, String nodeName) {
    t.ensureOpen();
    boolean record = checkLeaf(t);
    t.kernels().fill(t.segment, 0, t.numel, value);
    t.bumpVersion();
    if (record && t.requiresGrad) {
      t.gradFn = new FillBackward(nodeName, t.dtype, t.shape, t.gradEdge());
    }
    return t;
  }

  static Tensor add(Tensor t, Tensor other) {
    t.ensureOpen();
    other.ensureOpen();
    long[] shape = Shapes.broadcast(t.shape, other.shape);
    if (!Arrays.equals(shape, t.shape)) {
      throw new IllegalArgumentException("output with shape " + Shapes.list(t.shape)
          + " doesn't match the broadcast shape " + Shapes.list(shape));
    }
    boolean record = checkLeaf(t);
    Arithmetic.addInto(t, other);
    t.bumpVersion();
    if (record && (t.requiresGrad || other.requiresGrad)) {
      // Built before t changes identity in the graph: its edge is t's old node.
      Node node = new Arithmetic.BinaryBackward(BinaryOp.ADD, t, other);
      t.requiresGrad = true;
      t.gradFn = node;
    }
    return t;
  }

  /** Whether the op is recorded; throws PyTorch's error for a leaf that requires grad. */
  private static boolean checkLeaf(Tensor t) {
    boolean gradEnabled = ThreadState.current().gradEnabled;
    if (gradEnabled && t.requiresGrad && t.gradFn == null) {
      throw new IllegalStateException("a leaf Variable that requires grad is being used in an in-place operation.");
    }
    return gradEnabled;
  }

  /** ZeroBackward0 / FillBackward2: the old values no longer matter, so their gradient is zero. */
  static final class FillBackward extends Node {
    private final String name;
    private final DType dtype;
    private final long[] shape;

    FillBackward(String name, DType dtype, long[] shape, Node edge) {
      super(edge);
      this.name = name;
      this.dtype = dtype;
      this.shape = shape;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      return new Tensor[] {Tensor.zeros(dtype, shape)};
    }
  }
}
