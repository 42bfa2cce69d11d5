package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.kernels.BinaryOp;
import java.util.Arrays;

/**
 * In-place ops and the rules they share: they bump the version counter (so saved tensors notice,
 * through any view of the same storage), refuse leaves that require grad and views of such leaves
 * while grad mode is on, refuse tensors whose elements overlap in memory (expanded views), and,
 * when recorded, rewrite history as PyTorch does: a plain tensor's {@code gradFn} becomes the op's
 * node, whose edge leads to the old one; a view's base gets a {@code CopySlices} node and the view
 * an {@code AsStridedBackward0} onto it ({@link ViewHistory}).
 */
final class InPlace {
  private InPlace() {}

  static Tensor fill(Tensor t, double value, String nodeName) {
    t.ensureOpen();
    // No overlap check: PyTorch fills expanded tensors (every alias gets the same value).
    checkNotReadOnly(t);
    boolean record = gradRecorded(t, t.requiresGrad());
    Node node = record ? new FillBackward(nodeName, t.dtype, t.shape, t.gradEdge()) : null;
    Elementwise.fill(t, value);
    finish(t, node);
    return t;
  }

  static Tensor add(Tensor t, Tensor other) {
    t.ensureOpen();
    other.ensureOpen();
    // autograd's refusals first, as PyTorch's VariableType checks before the kernel's shape and overlap checks
    boolean record = gradRecorded(t, t.requiresGrad() || other.requiresGrad());
    checkWritable(t);
    checkNoPartialOverlap(t, other);   // TensorIterator checks memory overlap before shapes
    checkBroadcastsTo(t, other);
    checkCast(Arithmetic.resultType(t, other), t.dtype);
    // Built before t changes identity in the graph: its edge is t's old node.
    Node node = record ? new Arithmetic.BinaryBackward(BinaryOp.ADD, t, other) : null;
    Arithmetic.addInto(t, other);
    finish(t, node);
    return t;
  }

  /** {@code t.copy_(src)}: src broadcast to t's shape and converted to its dtype. */
  static Tensor copy(Tensor t, Tensor src) {
    t.ensureOpen();
    src.ensureOpen();
    // autograd's refusals first; copy_ into an integer or bool tensor is never recorded, so it is not refused
    // either (PyTorch's VariableTypeManual copy_: requires_grad &= isDifferentiableType(self.scalar_type()))
    boolean record = gradRecorded(t, (t.requiresGrad() || src.requiresGrad()) && t.dtype.isFloatingPoint());
    if (t == src) {   // PyTorch returns at once when a tensor is copied onto itself (still an in-place op)
      finish(t, record ? new CopyBackwards(t, src) : null);
      return t;
    }
    checkWritable(t);
    checkNoPartialOverlap(t, src);
    checkBroadcastsTo(t, src);
    Node node = record ? new CopyBackwards(t, src) : null;
    Casts.convert(src, t);
    finish(t, node);
    return t;
  }

  /** PyTorch's check that an in-place result may be stored in the written tensor's dtype. */
  static void checkCast(DType result, DType target) {
    boolean ok = result.isFloatingPoint() ? target.isFloatingPoint() : result != DType.INT64 || target != DType.BOOL;
    if (!ok) {
      throw new IllegalArgumentException("result type " + result.scalarTypeName()
          + " can't be cast to the desired output type " + target.scalarTypeName());
    }
  }

  /** PyTorch's check that an in-place op's operand broadcasts to the written tensor's shape. */
  static void checkBroadcastsTo(Tensor t, Tensor other) {
    long[] shape = Shapes.broadcast(t.shape, other.shape);
    if (!Arrays.equals(shape, t.shape)) {
      throw new IllegalArgumentException("output with shape " + Shapes.list(t.shape)
          + " doesn't match the broadcast shape " + Shapes.list(shape));
    }
  }

  /**
   * Whether grad mode records an in-place op on {@code t} that involves a tensor requiring grad
   * ({@code involvesGrad}), after PyTorch's checks: a leaf that requires grad, a view of one, a view
   * made under no_grad, and one of several views returned by one op may not be written then.
   */
  static boolean gradRecorded(Tensor t, boolean involvesGrad) {
    if (!ThreadState.current().gradEnabled) return false;
    // PyTorch's check_inplace: the view's creation rules first (handle_view_on_rebase), then the leaf rules
    if (involvesGrad) checkViewRebase(t);
    // PyTorch asks whether the view requires grad and its (root) base is a leaf, not whether the base requires
    // grad: a view made to require grad with requires_grad_() is refused too, though its root base does not
    Tensor base = t.viewBase();
    if (base != null && t.requiresGrad() && base.gradFn == null) {
      throw new IllegalStateException("a view of a leaf Variable that requires grad is being used in an in-place operation.");
    }
    if (t.requiresGrad && t.gradFn == null && base == null) {
      throw new IllegalStateException("a leaf Variable that requires grad is being used in an in-place operation.");
    }
    return involvesGrad;
  }

  /** Refuses in-place writes on views that one op returned among several, or that were made under no_grad. */
  private static void checkViewRebase(Tensor t) {
    Tensor.Rare r = t.rare;
    if (r == null) return;
    if (r.viewOutputOf != null) {
      String tail = "This view is the output of a function that returns multiple views. Such functions do not allow "
          + "the output views to be modified inplace. You should replace the inplace operation by an out-of-place one.";
      Node fn = t.gradFn();   // PyTorch names the view's own node (a view of an unbind output: its ViewBackward0)
      if (fn != null) {
        throw new IllegalStateException("Output " + r.viewOutputIndex + " of " + fn.name() + " is a view and is "
            + "being modified inplace. " + tail);
      }
      throw new IllegalStateException("A view was created in no_grad mode and is being modified inplace with grad mode "
          + "enabled. " + tail);
    }
    if (r.viewMadeWithoutGrad) {
      throw new IllegalStateException("A view was created in no_grad mode and is being modified inplace with grad mode "
          + "enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code "
          + "by moving both the view and the inplace either both inside the no_grad block (if you don't want the "
          + "inplace to be tracked) or both outside (if you want the inplace to be tracked).");
    }
  }

  /**
   * PyTorch's {@code assert_no_partial_overlap} between the written tensor and an operand: both dense views of one
   * storage whose memory ranges meet without being the very same elements in the same layout.
   */
  static void checkNoPartialOverlap(Tensor t, Tensor other) {
    if (t == other || t.storage != other.storage || t.numel == 0 || other.numel == 0) return;
    if (!nonOverlappingAndDense(t) || !nonOverlappingAndDense(other)) return;   // PyTorch: too hard to tell
    long aBegin = t.offset, aEnd = aBegin + t.numel, bBegin = other.offset, bEnd = bBegin + other.numel;
    boolean full = aBegin == bBegin && aEnd == bEnd && Arrays.equals(t.strides, other.strides);
    if (!full && aBegin < bEnd && bBegin < aEnd) {
      throw new IllegalArgumentException("unsupported operation: some elements of the input tensor and the written-to "
          + "tensor refer to a single memory location. Please clone() the tensor before performing the operation.");
    }
  }

  /** Whether the elements fill a block of memory exactly once in some order of the dims (PyTorch's definition). */
  private static boolean nonOverlappingAndDense(Tensor t) {
    Integer[] dims = new Integer[t.shape.length];
    for (int i = 0; i < dims.length; i++) dims[i] = i;
    Arrays.sort(dims, (a, b) -> t.shape[a] < 2 ? (t.shape[b] < 2 ? 0 : 1) : t.shape[b] < 2 ? -1
        : Long.compare(t.strides[a], t.strides[b]));
    long expected = 1;
    for (int d : dims) {
      if (t.shape[d] < 2) return true;
      if (t.strides[d] != expected) return false;
      expected *= t.shape[d];
    }
    return true;
  }

  /** Refuses writes into read-only memory (a tensor over a read-only mapping or buffer). */
  static void checkNotReadOnly(Tensor t) {
    if (t.storage.isReadOnly()) {
      throw new IllegalStateException("this tensor's memory is read-only (it wraps a read-only segment, such as a "
          + "read-only file mapping): in-place operations and out= writes are not allowed; clone() it first");
    }
  }

  /** Refuses writes through views in which several indices reach one element (stride 0 of an expand), and into read-only memory. */
  static void checkWritable(Tensor t) {
    checkNotReadOnly(t);
    if (t.numel == 0) return;   // nothing is written (PyTorch: an empty tensor is non-overlapping and dense)
    for (int i = 0; i < t.shape.length; i++) {
      if (t.strides[i] == 0 && t.shape[i] > 1) {
        throw new IllegalArgumentException("unsupported operation: more than one element of the written-to tensor "
            + "refers to a single memory location. Please clone() the tensor before performing the operation.");
      }
    }
  }

  /** After the write: the version bump, and the new history when {@code node} is not null. */
  static void finish(Tensor t, Node node) {
    t.bumpVersion();
    if (node == null || !t.dtype.isFloatingPoint()) return;   // integer results never require grad
    if (t.viewBase() == null) {
      t.requiresGrad = true;
      t.gradFn = node;
    } else {
      ViewHistory.rebase(t, node);
    }
    if (t.retainsGrad() && t.gradFn != null) t.retainGradOn(t.gradFn);
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

  /** {@code self.copy_(src)}: the old values get no gradient, src gets the gradient summed to its shape. */
  static final class CopyBackwards extends Node {
    private final DType selfType, srcType;
    private final long[] selfShape, srcShape;

    CopyBackwards(Tensor self, Tensor src) {
      super(self.gradEdge(), src.gradEdge());
      this.selfType = self.dtype;
      this.selfShape = self.shape;
      this.srcType = src.dtype;
      this.srcShape = src.shape;
    }

    @Override
    public String name() {
      return "CopyBackwards";
    }

    /** As PyTorch's messages name it (a node defined by hand in torch/csrc/autograd, not generated). */
    @Override
    public String qualifiedName() {
      return "torch::autograd::CopyBackwards";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor gSelf = needsInputGrad(0) ? Tensor.zeros(selfType, selfShape) : null;
      // PyTorch's CopyBackwards converts to src's dtype first (grad.to(src_options)); the engine then sums it to
      // src's shape, in that dtype: a float64 src of a float32 copy sums in double
      Tensor gSrc = null;
      if (needsInputGrad(1)) {
        if (g.dtype == srcType) {
          gSrc = GradShapes.reduceTo(g, srcShape, srcType);
        } else {
          Tensor converted = Casts.copyAs(g, srcType);
          gSrc = GradShapes.reduceTo(converted, srcShape, srcType);
          if (gSrc != converted) converted.close();
        }
      }
      return new Tensor[] {gSelf, gSrc};
    }
  }
}
