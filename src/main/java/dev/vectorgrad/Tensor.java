package dev.vectorgrad;

import dev.vectorgrad.autograd.Engine;
import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.format.TensorFormatter;
import dev.vectorgrad.kernels.BinaryOp;
import dev.vectorgrad.kernels.ElementKernels;
import dev.vectorgrad.kernels.Kernels;
import dev.vectorgrad.memory.Storage;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A dense, contiguous, off-heap array of float32 or float64 values that can record the operations
 * applied to it and compute gradients by reverse-mode differentiation. PyTorch equivalent:
 * {@code torch.Tensor} (which absorbed {@code torch.autograd.Variable}).
 *
 * <pre>{@code
 * Tensor x = Tensor.ones(2, 2);
 * Tensor temp = Tensor.zeros(2, 2).requiresGrad_(true);
 * Tensor y = x.add(temp).add(2).mean();
 * y.backward();
 * temp.grad();   // tensor([[0.2500, 0.2500],
 *                //         [0.2500, 0.2500]])
 * }</pre>
 *
 * <h2>Autograd</h2>
 * As in PyTorch: {@code requiresGrad} defaults to false; a result requires grad when grad mode is
 * on ({@link GradMode}) and one of its inputs does, and then has a {@link #gradFn()}. Tensors
 * without a {@code gradFn} are leaves. {@link #backward()} accumulates gradients into the
 * {@link #grad()} of leaves that require grad (non-leaves only with {@link #retainGrad()}), with
 * each leaf's shape and dtype, summing over broadcast dimensions; gradients add up over calls
 * until zeroed ({@code t.grad().zero_()}).
 *
 * <h2>Memory</h2>
 * Values live off-heap in a pooled, 64-byte aligned block shared with views ({@link #detach()},
 * {@link #data()}). {@link #close()} releases it now; a {@link TensorScope} releases every tensor
 * made inside it; a {@link Cleaner} releases unreachable tensors that belong to no scope. Any use
 * after close throws {@link IllegalStateException}. See {@link MemoryStats} for accounting.
 *
 * <h2>Thread safety</h2>
 * A tensor may be read (used as an op input) by many threads at once. Writes (in-place ops,
 * {@code requiresGrad_}, {@code close}) must not race with other uses of the same tensor or its
 * views. Grad mode and scopes are per thread. Gradient accumulation into a leaf is synchronized on
 * the leaf, so graphs backwarded concurrently by different threads may share leaves; a single graph
 * must be backwarded by one thread at a time.
 */
public final class Tensor implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();
  private static final VarHandle CLOSED;

  static {
    try {
      CLOSED = MethodHandles.lookup().findVarHandle(Tensor.class, "closed", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Storage storage;
  final MemorySegment segment;
  final DType dtype;
  final long[] shape;
  final long numel;
  /** Null until first needed: most tensors are never modified in place or viewed. */
  private Version version;

  boolean requiresGrad;
  Node gradFn;
  volatile Tensor grad;
  AccumulateGrad gradAccumulator;
  boolean retainsGrad;

  private volatile int closed;
  private TensorScope owner;
  private Cleaner.Cleanable cleanable;
  private Release release;

  /** In-place modification count, shared by a tensor and its {@code detach()} views (PyTorch's version counter). */
  static final class Version {
    long value;
  }

  /** This tensor's version counter, created on first use so views made later share it. */
  Version versionCounter() {
    Version v = version;
    if (v == null) version = v = new Version();
    return v;
  }

  /** Records an in-place modification. */
  void bumpVersion() {
    versionCounter().value++;
  }

  /** A new tensor on {@code storage} (whose reference it takes over), owned by the current scope. */
  Tensor(Storage storage, DType dtype, long[] shape, long numel, Version version) {
    this(storage, dtype, shape, numel, version, true);
  }

  private Tensor(Storage storage, DType dtype, long[] shape, long numel, Version version, boolean owned) {
    this.storage = storage;
    this.segment = storage.segment();
    this.dtype = dtype;
    this.shape = shape;
    this.numel = numel;
    this.version = version;
    if (!owned) return;
    TensorScope scope = ThreadState.current().scope;
    if (scope != null) {
      owner = scope;
      scope.register(this);
    } else {
      adoptUnscoped();
    }
  }

  /**
   * The Cleaner's action: must not reach the tensor, or the tensor would never become unreachable.
   * Run by {@link #close()} (explicit) or by the GC (a leak: the tensor was dropped unclosed).
   */
  private static final class Release implements Runnable {
    private final Storage storage;
    volatile boolean explicit;

    Release(Storage storage) {
      this.storage = storage;
    }

    @Override
    public void run() {
      if (!explicit) storage.noteReleasedByGc();
      storage.release();
    }
  }

  // ---------------------------------------------------------------- factories

  /**
   * The implicit gradient of a 0-dim output, one per dtype: shared, never closed, never written
   * (the engine and derivatives only read incoming gradients; leaves copy them).
   */
  private static final Tensor[] UNIT_GRADS = {unit(DType.FLOAT32), unit(DType.FLOAT64)};

  private static Tensor unit(DType dtype) {
    Storage storage = Storage.allocate(dtype.byteSize());
    storage.markPermanent();
    Tensor t = new Tensor(storage, dtype, Shapes.SCALAR, 1, null, false);
    t.kernels().fill(t.segment, 0, 1, 1.0);
    return t;
  }

  /** An uninitialised tensor: callers overwrite every element. */
  static Tensor empty(DType dtype, long[] shape) {
    return empty(dtype, shape, Shapes.numel(shape));
  }

  /** As {@link #empty(DType, long[])} when the caller knows the element count (a shape it reuses). */
  static Tensor empty(DType dtype, long[] shape, long numel) {
    return new Tensor(Storage.allocate(numel * dtype.byteSize()), dtype, shape, numel, null);
  }

  /**
   * A float32 tensor holding a copy of {@code data} in row-major order; without a shape, 1-D.
   * PyTorch: {@code torch.tensor(data, dtype=torch.float32).reshape(shape)}.
   */
  public static Tensor of(float[] data, long... shape) {
    long[] s = shape.length == 0 ? new long[] {data.length} : Shapes.checked(shape);
    Shapes.checkSize(s, data.length);
    Tensor t = empty(DType.FLOAT32, s);
    MemorySegment.copy(data, 0, t.segment, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, data.length);
    return t;
  }

  /** A float64 tensor holding a copy of {@code data}; without a shape, 1-D. PyTorch: {@code torch.tensor(data, dtype=torch.float64)}. */
  public static Tensor of(double[] data, long... shape) {
    long[] s = shape.length == 0 ? new long[] {data.length} : Shapes.checked(shape);
    Shapes.checkSize(s, data.length);
    Tensor t = empty(DType.FLOAT64, s);
    MemorySegment.copy(data, 0, t.segment, ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, data.length);
    return t;
  }

  /** Float32 zeros; no shape is a 0-dim tensor. PyTorch: {@code torch.zeros(*shape)}. */
  public static Tensor zeros(long... shape) {
    return full(DType.FLOAT32, 0, shape);
  }

  /** Zeros of {@code dtype}. PyTorch: {@code torch.zeros(*shape, dtype=dtype)}. */
  public static Tensor zeros(DType dtype, long... shape) {
    return full(dtype, 0, shape);
  }

  /** Float32 ones. PyTorch: {@code torch.ones(*shape)}. */
  public static Tensor ones(long... shape) {
    return full(DType.FLOAT32, 1, shape);
  }

  /** Ones of {@code dtype}. PyTorch: {@code torch.ones(*shape, dtype=dtype)}. */
  public static Tensor ones(DType dtype, long... shape) {
    return full(dtype, 1, shape);
  }

  /** Float32 filled with {@code value}. PyTorch: {@code torch.full(shape, value)}. */
  public static Tensor full(double value, long... shape) {
    return full(DType.FLOAT32, value, shape);
  }

  /** {@code dtype} filled with {@code value}. PyTorch: {@code torch.full(shape, value, dtype=dtype)}. */
  public static Tensor full(DType dtype, double value, long... shape) {
    long[] checked = Shapes.checked(shape);
    return filled(dtype, value, checked, Shapes.numel(checked));
  }

  /** {@link #full} for an internal shape that needs neither checking nor copying. */
  static Tensor filled(DType dtype, double value, long[] shape, long numel) {
    Tensor t = empty(dtype, shape, numel);
    t.kernels().fill(t.segment, 0, numel, value);
    return t;
  }

  /** A 0-dim float32 tensor. PyTorch: {@code torch.tensor(value)}. */
  public static Tensor scalar(double value) {
    return full(DType.FLOAT32, value);
  }

  // ---------------------------------------------------------------- attributes

  /** The size of each dimension (a copy). PyTorch: {@code shape} / {@code size()}. */
  public long[] shape() {
    return shape.clone();
  }

  /** Number of dimensions. PyTorch: {@code dim()}. */
  public int dim() {
    return shape.length;
  }

  /** Number of elements. PyTorch: {@code numel()}. */
  public long numel() {
    return numel;
  }

  public DType dtype() {
    return dtype;
  }

  /** PyTorch: {@code requires_grad}. */
  public boolean requiresGrad() {
    return requiresGrad;
  }

  /**
   * Sets whether autograd records ops on this leaf; returns this. PyTorch: {@code requires_grad_()}.
   *
   * @throws IllegalStateException on a non-leaf, with PyTorch's message
   */
  public Tensor requiresGrad_(boolean requiresGrad) {
    ensureOpen();
    if (gradFn != null) {
      if (!requiresGrad) {
        throw new IllegalStateException("you can only change requires_grad flags of leaf variables. If you "
            + "want to use a computed variable in a subgraph that doesn't require differentiation use "
            + "var_no_grad = var.detach().");
      }
      return this;
    }
    this.requiresGrad = requiresGrad;
    return this;
  }

  /** Whether no op recorded this tensor (it has no {@code gradFn}). PyTorch: {@code is_leaf}. */
  public boolean isLeaf() {
    return gradFn == null;
  }

  /**
   * The accumulated gradient, or null: for leaves that require grad after a backward pass, and for
   * non-leaves that {@link #retainGrad()}. It belongs to this tensor and is closed with it.
   * PyTorch: {@code grad}.
   */
  public Tensor grad() {
    return grad;
  }

  /**
   * Replaces the gradient (null clears it); the tensor takes ownership. PyTorch: {@code t.grad = g}.
   *
   * @throws IllegalArgumentException when shape or dtype differ from this tensor's
   */
  public void setGrad(Tensor newGrad) {
    ensureOpen();
    if (newGrad != null) {
      newGrad.ensureOpen();
      if (!Arrays.equals(newGrad.shape, shape)) {
        throw new IllegalArgumentException("assigned grad has data of a different size");
      }
      if (newGrad.dtype != dtype) {
        throw new IllegalArgumentException("assigned grad has data of a different type");
      }
      newGrad.adoptUnscoped();
    }
    synchronized (this) {
      Tensor old = grad;
      grad = newGrad;
      if (old != null && old != newGrad) old.close();
    }
  }

  /** The node that computed this tensor, or null for a leaf. PyTorch: {@code grad_fn}. */
  public Node gradFn() {
    return gradFn;
  }

  /** Whether a non-leaf keeps its gradient ({@code retains_grad}). */
  public boolean retainsGrad() {
    return retainsGrad;
  }

  /**
   * Makes backward store this non-leaf's gradient in {@link #grad()} (accumulating over calls);
   * a no-op on leaves. PyTorch: {@code retain_grad()}.
   */
  public void retainGrad() {
    ensureOpen();
    if (gradFn == null) {
      if (!requiresGrad) throw new IllegalStateException("can't retain_grad on Tensor that has requires_grad=False");
      return;
    }
    if (retainsGrad) return;
    retainsGrad = true;
    gradFn.registerPreHook(this::accumulateGrad);
  }

  /** The number of in-place modifications seen by this tensor's data. PyTorch: {@code _version}. */
  public long version() {
    Version v = version;
    return v == null ? 0 : v.value;
  }

  /**
   * A new leaf sharing this tensor's data and version counter, outside the graph.
   * PyTorch: {@code detach()}.
   */
  public Tensor detach() {
    return view(versionCounter(), shape);
  }

  /**
   * A new leaf sharing this tensor's data, with a version counter of its own, so in-place changes
   * through it go unnoticed by autograd (as PyTorch's {@code .data}). PyTorch: {@code data}.
   */
  public Tensor data() {
    return view(null, shape);
  }

  /** A tensor with another shape on the same data (numel must match); {@code v} null for a counter of its own. */
  Tensor view(Version v, long[] newShape) {
    ensureOpen();
    storage.retain();
    return new Tensor(storage, dtype, newShape, numel, v);
  }

  // ---------------------------------------------------------------- ops

  /** {@code this + other}, broadcasting. PyTorch: {@code torch.add} / {@code +}. */
  public Tensor add(Tensor other) {
    return Arithmetic.binary(BinaryOp.ADD, this, other);
  }

  /** {@code this - other}, broadcasting. PyTorch: {@code torch.sub} / {@code -}. */
  public Tensor sub(Tensor other) {
    return Arithmetic.binary(BinaryOp.SUB, this, other);
  }

  /** {@code this * other}, broadcasting. PyTorch: {@code torch.mul} / {@code *}. */
  public Tensor mul(Tensor other) {
    return Arithmetic.binary(BinaryOp.MUL, this, other);
  }

  /** {@code this / other}, broadcasting (true division). PyTorch: {@code torch.div} / {@code /}. */
  public Tensor div(Tensor other) {
    return Arithmetic.binary(BinaryOp.DIV, this, other);
  }

  /**
   * {@code this + other} written into {@code out} (which must already have the result's shape and
   * dtype); returns {@code out}. Not recorded by autograd. PyTorch: {@code torch.add(a, b, out=out)}.
   */
  public Tensor add(Tensor other, Tensor out) {
    return Arithmetic.binaryOut(BinaryOp.ADD, this, other, out);
  }

  /** {@code this - other} into {@code out}. PyTorch: {@code torch.sub(a, b, out=out)}. */
  public Tensor sub(Tensor other, Tensor out) {
    return Arithmetic.binaryOut(BinaryOp.SUB, this, other, out);
  }

  /** {@code this * other} into {@code out}. PyTorch: {@code torch.mul(a, b, out=out)}. */
  public Tensor mul(Tensor other, Tensor out) {
    return Arithmetic.binaryOut(BinaryOp.MUL, this, other, out);
  }

  /** {@code this / other} into {@code out}. PyTorch: {@code torch.div(a, b, out=out)}. */
  public Tensor div(Tensor other, Tensor out) {
    return Arithmetic.binaryOut(BinaryOp.DIV, this, other, out);
  }

  /** {@code this + value}; the scalar does not change the dtype. PyTorch: {@code t + 2}. */
  public Tensor add(double value) {
    return Arithmetic.withScalar(BinaryOp.ADD, this, value);
  }

  /** {@code this - value}. PyTorch: {@code t - 2}. */
  public Tensor sub(double value) {
    return Arithmetic.withScalar(BinaryOp.SUB, this, value);
  }

  /** {@code this * value}. PyTorch: {@code t * 2}. */
  public Tensor mul(double value) {
    return Arithmetic.withScalar(BinaryOp.MUL, this, value);
  }

  /** {@code this / value}. PyTorch: {@code t / 2}. */
  public Tensor div(double value) {
    return Arithmetic.withScalar(BinaryOp.DIV, this, value);
  }

  /** {@code -this}. PyTorch: {@code torch.neg} / unary {@code -}. */
  public Tensor neg() {
    return Arithmetic.neg(this);
  }

  /** Sum of all elements, a 0-dim tensor. PyTorch: {@code sum()}. */
  public Tensor sum() {
    return Reductions.sumAll(this, false);
  }

  /** Mean of all elements, a 0-dim tensor (NaN when empty). PyTorch: {@code mean()}. */
  public Tensor mean() {
    return Reductions.sumAll(this, true);
  }

  /** Sum over {@code dims} (negative counts from the end). PyTorch: {@code sum(dim, keepdim)}. */
  public Tensor sum(int[] dims, boolean keepdim) {
    return Reductions.overDims(this, dims, keepdim, false);
  }

  /** Mean over {@code dims}. PyTorch: {@code mean(dim, keepdim)}. */
  public Tensor mean(int[] dims, boolean keepdim) {
    return Reductions.overDims(this, dims, keepdim, true);
  }

  /** Sets every element to zero in place; returns this. PyTorch: {@code zero_()}. */
  public Tensor zero_() {
    return InPlace.fill(this, 0, "ZeroBackward0");
  }

  /** Sets every element to {@code value} in place; returns this. PyTorch: {@code fill_(value)}. */
  public Tensor fill_(double value) {
    return InPlace.fill(this, value, "FillBackward2");
  }

  /** {@code this += other} in place (other broadcast to this shape); returns this. PyTorch: {@code add_}. */
  public Tensor add_(Tensor other) {
    return InPlace.add(this, other);
  }

  // ---------------------------------------------------------------- autograd

  /** Backpropagates from this one-element tensor with gradient 1. PyTorch: {@code backward()}. */
  public void backward() {
    backward(null, false);
  }

  /** Backpropagates {@code gradient} (null allowed for a one-element tensor). PyTorch: {@code backward(gradient)}. */
  public void backward(Tensor gradient) {
    backward(gradient, false);
  }

  /**
   * Backpropagates {@code gradient} (same shape as this; null means 1 for a one-element tensor)
   * into the leaves' {@link #grad()}. Unless {@code retainGraph}, the graph's saved tensors are
   * freed, and a second backward through nodes that need them fails as in PyTorch.
   * PyTorch: {@code backward(gradient, retain_graph)}.
   */
  public void backward(Tensor gradient, boolean retainGraph) {
    ensureOpen();
    if (!requiresGrad) {
      throw new IllegalStateException("element 0 of tensors does not require grad and does not have a grad_fn");
    }
    Tensor rootGrad;
    if (gradient == null) {
      if (numel != 1) throw new IllegalStateException("grad can be implicitly created only for scalar outputs");
      rootGrad = null;
    } else {
      gradient.ensureOpen();
      if (!Arrays.equals(gradient.shape, shape)) {
        throw new IllegalArgumentException("Mismatch in shape: grad_output[0] has a shape of "
            + Shapes.torchSize(gradient.shape) + " and output[0] has a shape of " + Shapes.torchSize(shape) + ".");
      }
      rootGrad = gradient;
    }
    if (rootGrad == null && shape.length == 0) rootGrad = UNIT_GRADS[dtype.ordinal()];
    Node root = gradFn != null ? gradFn : gradAccumulator();
    Engine.run(root, rootGrad, this, retainGraph);
  }

  /**
   * This tensor converted to {@code dtype}, or this tensor itself when it already has that dtype.
   * Recorded by autograd like PyTorch's {@code ToCopyBackward0}. PyTorch: {@code to(dtype)}.
   */
  public Tensor to(DType dtype) {
    return Casts.toRecorded(this, dtype);
  }

  /** The edge a new node takes to this input: its node, its accumulator if a leaf, or null. */
  Node gradEdge() {
    if (!requiresGrad) return null;
    return gradFn != null ? gradFn : gradAccumulator();
  }

  private synchronized AccumulateGrad gradAccumulator() {
    if (gradAccumulator == null) gradAccumulator = new AccumulateGrad(this);
    return gradAccumulator;
  }

  /** Adds an incoming gradient into {@link #grad}: a copy the first time, in place afterwards. */
  void accumulateGrad(Tensor incoming) {
    synchronized (this) {
      if (isClosed()) return;
      Tensor g = grad;
      if (g == null) {
        Tensor copy = Casts.copyAs(incoming, dtype);
        copy.adoptUnscoped();
        grad = copy;
      } else {
        Arithmetic.addInto(g, incoming);
      }
    }
  }

  // ---------------------------------------------------------------- values

  /** The value of a one-element tensor. PyTorch: {@code item()}. */
  public double item() {
    ensureOpen();
    if (numel != 1) {
      throw new IllegalStateException("only one element tensors can be converted to Python scalars");
    }
    return kernels().get(segment, 0);
  }

  /** A copy of the values in row-major order, as float. PyTorch: {@code tolist()} / {@code numpy()}. */
  public float[] toFloatArray() {
    ensureOpen();
    int n = Shapes.arrayLength(numel);
    float[] out = new float[n];
    if (dtype == DType.FLOAT32) {
      MemorySegment.copy(segment, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, out, 0, n);
    } else {
      for (int i = 0; i < n; i++) out[i] = (float) kernels().get(segment, i);
    }
    return out;
  }

  /** A copy of the values in row-major order, as double. */
  public double[] toDoubleArray() {
    ensureOpen();
    int n = Shapes.arrayLength(numel);
    double[] out = new double[n];
    if (dtype == DType.FLOAT64) {
      MemorySegment.copy(segment, ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, out, 0, n);
    } else {
      for (int i = 0; i < n; i++) out[i] = kernels().get(segment, i);
    }
    return out;
  }

  /** PyTorch's {@code str(tensor)}: e.g. {@code tensor(0.2500, grad_fn=<MeanBackward0>)}. */
  @Override
  public String toString() {
    if (isClosed()) return "tensor(<closed>)";
    List<String> suffixes = new ArrayList<>(1);
    if (gradFn != null) {
      suffixes.add("grad_fn=<" + gradFn.name() + ">");
    } else if (requiresGrad) {
      suffixes.add("requires_grad=True");
    }
    ElementKernels k = kernels();
    return TensorFormatter.format(i -> k.get(segment, i), shape, dtype == DType.FLOAT64, suffixes);
  }

  // ---------------------------------------------------------------- lifetime

  /**
   * Releases this tensor's hold on its data now (the data is freed when no view holds it) and
   * closes its gradient. Idempotent. Any later use of this tensor throws {@link IllegalStateException}.
   */
  @Override
  public void close() {
    if (!CLOSED.compareAndSet(this, 0, 1)) return;
    Tensor g = grad;
    grad = null;
    if (g != null) g.close();
    Cleaner.Cleanable c = cleanable;
    if (c != null) {
      release.explicit = true;
      c.clean();
    } else {
      storage.release();
    }
    owner = null;
  }

  public boolean isClosed() {
    return closed != 0;
  }

  /**
   * Hands this tensor from the scope that owns it to the enclosing scope, or, outside every scope,
   * to the caller (release it with {@link #close()}; the GC is only a safety net). Returns this.
   */
  public Tensor keep() {
    ensureOpen();
    TensorScope scope = owner;
    if (scope == null) return this;
    TensorScope parent = scope.parent();
    while (parent != null && parent.isClosed()) parent = parent.parent();
    if (parent != null) {
      owner = parent;
      parent.register(this);
    } else {
      adoptUnscoped();
    }
    return this;
  }

  /** Detaches this tensor from any scope; from now on close() or the Cleaner releases it. */
  void adoptUnscoped() {
    if (cleanable == null) {
      owner = null;
      release = new Release(storage);
      cleanable = CLEANER.register(this, release);
    }
  }

  boolean ownedBy(TensorScope scope) {
    return owner == scope && closed == 0;
  }

  void ensureOpen() {
    if (closed != 0) {
      throw new IllegalStateException("this tensor was closed (by close() or by the TensorScope that owned it) "
          + "and cannot be used any more");
    }
  }

  ElementKernels kernels() {
    return kernelsFor(dtype);
  }

  static ElementKernels kernelsFor(DType dtype) {
    return dtype == DType.FLOAT32 ? Kernels.float32() : Kernels.float64();
  }
}
