package dev.vectorgrad;

import dev.vectorgrad.autograd.Engine;
import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.format.TensorFormatter;
import dev.vectorgrad.internal.Internals;
import dev.vectorgrad.kernels.BinaryOp;
import dev.vectorgrad.kernels.ElementKernels;
import dev.vectorgrad.kernels.Kernels;
import dev.vectorgrad.memory.Storage;
import dev.vectorgrad.memory.ThreadContext;
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
  private static final VarHandle RARE;

  static {
    try {
      CLOSED = MethodHandles.lookup().findVarHandle(Tensor.class, "closed", boolean.class);
      RARE = MethodHandles.lookup().findVarHandle(Tensor.class, "rare", Rare.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
    Internals.register(new Internals.TensorAccess() {
      @Override
      public MemorySegment storageSegment(Tensor t) {
        t.ensureOpen();
        return t.seg();
      }

      @Override
      public long offset(Tensor t) {
        return t.offset;
      }

      @Override
      public ElementKernels kernels(Tensor t) {
        return t.kernels();
      }

      @Override
      public void bumpVersion(Tensor t) {
        t.bumpVersion();
      }

      @Override
      public Tensor unscoped(Tensor t) {
        t.ensureOpen();
        t.adoptUnscoped();
        return t;
      }

      @Override
      public Node gradEdge(Tensor t) {
        t.ensureOpen();
        return t.gradEdge();
      }

      @Override
      public void setHistory(Tensor out, Node node) {
        out.setHistory(node);
      }

      @Override
      public TensorScope openPassScope() {
        return TensorScope.openPooled();
      }

      @Override
      public void closePassScope(TensorScope scope) {
        scope.closePooled();
      }
    });
  }

  final Storage storage;
  final DType dtype;
  final long[] shape;
  /** Elements to step in storage per index of each dim (PyTorch's strides; 0 repeats an element). */
  final long[] strides;
  /** Position of element [0, ..., 0] in the storage, in elements. */
  final long offset;
  final long numel;
  /** Whether elements lie row-major and dense from {@link #offset}: kernels then run on one range. */
  final boolean contiguous;
  /** Null until first needed: most tensors are never modified in place or viewed. */
  /**
   * The expression of a result not computed yet (see {@link Fusion}), or null once computed; read by
   * {@link #seg()} before every kernel access.
   */
  volatile Fusion.Pending pending;
  boolean requiresGrad;
  Node gradFn;

  private volatile boolean closed;
  private TensorScope owner;
  /**
   * What few tensors need, made on first use so that an op result stays small: view bookkeeping,
   * retain-grad state, a leaf's accumulator, the Cleaner registration of an unscoped tensor.
   */
  volatile Rare rare;

  /** A tensor's rarely used state (see {@link #rare}). */
  static final class Rare {
    /** The version counter, shared with views and {@code detach()}, made on first use (see {@link #versionCounter()}). */
    Version version;
    /** The accumulated gradient ({@link #grad()}), or null. */
    volatile Tensor grad;
    /**
     * The tensor a differentiable view was made from (its root: views of views point at the first
     * base), or null. In-place ops through a view rewrite the base's history (PyTorch's CopySlices).
     */
    Tensor viewBase;
    /** The version at which a view's {@code gradFn} was recorded; a newer version regenerates it. */
    long gradFnVersion;
    /** Whether this view was made with grad mode off: PyTorch forbids recording in-place ops on it. */
    boolean viewMadeWithoutGrad;
    /** For one of several views an op returns at once (split, unbind): that op's node name, else null. */
    String viewOutputOf;
    /** For {@link #viewOutputOf}: this view's position among the op's outputs. */
    int viewOutputIndex;
    boolean retainsGrad;
    volatile Node retainedOn;   // the node whose incoming gradient retainGrad() keeps
    /** The hooks of {@link #registerHook}, or null before the first. */
    TensorHooks hooks;
    AccumulateGrad gradAccumulator;
    Cleaner.Cleanable cleanable;
    Release release;
  }

  /** This tensor's rare state, made on first use (atomically: a shared leaf's accumulator may be asked for by several threads). */
  Rare rare() {
    Rare r = rare;
    if (r != null) return r;
    r = new Rare();
    Rare won = (Rare) RARE.compareAndExchange(this, (Rare) null, r);
    return won == null ? r : won;
  }

  /** The root a differentiable view was made from, or null (see {@link Rare#viewBase}). */
  Tensor viewBase() {
    Rare r = rare;
    return r == null ? null : r.viewBase;
  }

  /** Whether this is a view made with grad mode off (see {@link Rare#viewMadeWithoutGrad}). */
  boolean viewMadeWithoutGrad() {
    Rare r = rare;
    return r != null && r.viewMadeWithoutGrad;
  }

  /** In-place modification count, shared by a tensor and its {@code detach()} views (PyTorch's version counter). */
  static final class Version {
    long value;
  }

  /** This tensor's version counter, created on first use so views made later share it. */
  Version versionCounter() {
    Rare r = rare();
    Version v = r.version;
    if (v == null) r.version = v = new Version();
    return v;
  }

  /**
   * This tensor's memory, for kernels that read or write it: a pending value is computed first, and
   * so is every pending tensor that reads this storage (a write through any view must not change
   * what they will hold). Every access to a tensor's elements goes through here.
   */
  MemorySegment seg() {
    Storage s = storage;
    if (pending != null || s.pendingReaders() != null) Fusion.settle(this);
    return s.segment();
  }

  /** The memory as it is: only for {@link Fusion}'s evaluator, which reads computed operands and writes pending results. */
  MemorySegment rawSeg() {
    return storage.segment();
  }

  /** Records an in-place modification. */
  void bumpVersion() {
    versionCounter().value++;
  }

  /** A new contiguous tensor on {@code storage} (whose reference it takes over), owned by the current scope. */
  Tensor(Storage storage, DType dtype, long[] shape, long numel, Version version) {
    this(storage, dtype, shape, Shapes.contiguousStrides(shape), 0, numel, true, version, true);
  }

  /** A tensor with any geometry on {@code storage} (whose reference it takes over), owned by the current scope. */
  Tensor(Storage storage, DType dtype, long[] shape, long[] strides, long offset, long numel, Version version) {
    this(storage, dtype, shape, strides, offset, numel, Shapes.isContiguous(shape, strides), version, true);
  }

  private Tensor(Storage storage, DType dtype, long[] shape, long[] strides, long offset, long numel,
                 boolean contiguous, Version version, boolean owned) {
    this(owned ? ThreadState.current() : null, storage, dtype, shape, strides, offset, numel, contiguous, version);
  }

  /** A new contiguous tensor on {@code storage}, owned by the current scope of {@code state} (the calling thread's). */
  private Tensor(ThreadState state, Storage storage, DType dtype, long[] shape, long numel) {
    this(state, storage, dtype, shape, Shapes.contiguousStrides(shape), 0, numel, true, null);
  }

  /** The one constructor: owned by {@code state}'s current scope (or unscoped), or by nobody when {@code state} is null. */
  private Tensor(ThreadState state, Storage storage, DType dtype, long[] shape, long[] strides, long offset, long numel,
                 boolean contiguous, Version version) {
    this.storage = storage;
    this.dtype = dtype;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
    this.numel = numel;
    this.contiguous = contiguous;
    if (version != null) rare().version = version;
    if (state == null) return;
    TensorScope scope = state.scope;
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
    Tensor t = new Tensor(storage, dtype, Shapes.SCALAR, Shapes.SCALAR, 0, 1, true, null, false);
    t.kernels().fill(t.seg(), 0, 1, 1.0);
    return t;
  }

  /** An uninitialised tensor: callers overwrite every element. */
  static Tensor empty(DType dtype, long[] shape) {
    return empty(dtype, shape, Shapes.numel(shape));
  }

  /** As {@link #empty(DType, long[])} when the caller knows the element count (a shape it reuses). */
  static Tensor empty(DType dtype, long[] shape, long numel) {
    return empty(ThreadState.current(), dtype, shape, numel);
  }

  /** As {@link #empty(DType, long[], long)} for a caller that has the calling thread's state at hand. */
  static Tensor empty(ThreadState state, DType dtype, long[] shape, long numel) {
    return new Tensor(state, Storage.allocate(numel * dtype.byteSize(), state.context), dtype, shape, numel);
  }

  /**
   * A float32 tensor holding a copy of {@code data} in row-major order; without a shape, 1-D.
   * PyTorch: {@code torch.tensor(data, dtype=torch.float32).reshape(shape)}.
   */
  public static Tensor of(float[] data, long... shape) {
    long[] s = shape.length == 0 ? new long[] {data.length} : Shapes.checked(shape);
    Shapes.checkSize(s, data.length);
    Tensor t = empty(DType.FLOAT32, s);
    MemorySegment.copy(data, 0, t.seg(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, data.length);
    return t;
  }

  /** A float64 tensor holding a copy of {@code data}; without a shape, 1-D. PyTorch: {@code torch.tensor(data, dtype=torch.float64)}. */
  public static Tensor of(double[] data, long... shape) {
    long[] s = shape.length == 0 ? new long[] {data.length} : Shapes.checked(shape);
    Shapes.checkSize(s, data.length);
    Tensor t = empty(DType.FLOAT64, s);
    MemorySegment.copy(data, 0, t.seg(), ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, data.length);
    return t;
  }

  /** An int64 tensor holding a copy of {@code data}; without a shape, 1-D. PyTorch: {@code torch.tensor(data)} of ints. */
  public static Tensor of(long[] data, long... shape) {
    long[] s = shape.length == 0 ? new long[] {data.length} : Shapes.checked(shape);
    Shapes.checkSize(s, data.length);
    Tensor t = empty(DType.INT64, s);
    MemorySegment.copy(data, 0, t.seg(), ValueLayout.JAVA_LONG_UNALIGNED, 0, data.length);
    return t;
  }

  /** A bool tensor holding a copy of {@code data}; without a shape, 1-D. PyTorch: {@code torch.tensor(data)} of bools. */
  public static Tensor of(boolean[] data, long... shape) {
    long[] s = shape.length == 0 ? new long[] {data.length} : Shapes.checked(shape);
    Shapes.checkSize(s, data.length);
    Tensor t = empty(DType.BOOL, s);
    for (int i = 0; i < data.length; i++) t.seg().set(ValueLayout.JAVA_BYTE, i, data[i] ? (byte) 1 : (byte) 0);
    return t;
  }

  /** {@code 0, 1, ..., end - 1} as int64. PyTorch: {@code torch.arange(end)}. */
  public static Tensor arange(long end) {
    return Factories.arange(0, end, 1);
  }

  /** {@code start, start + step, ...} below {@code end} (above it for a negative step), int64. PyTorch: {@code torch.arange(start, end, step)}. */
  public static Tensor arange(long start, long end, long step) {
    return Factories.arange(start, end, step);
  }

  /** {@code start, start + step, ...} below {@code end}, float32. PyTorch: {@code torch.arange(start, end, step)} with a float argument. */
  public static Tensor arange(double start, double end, double step) {
    return Factories.arange(start, end, step);
  }

  /**
   * A tensor over the caller's memory, row-major and contiguous, without a copy: the tensor never
   * frees the segment, and once the segment's arena is closed every use of the tensor throws
   * {@link IllegalStateException}. A read-only segment gives a tensor that refuses in-place writes.
   * PyTorch: {@code torch.frombuffer} / {@code torch.from_numpy} (zero-copy).
   *
   * @throws IllegalArgumentException when the segment is too small for the shape or misaligned for the dtype
   */
  public static Tensor wrap(MemorySegment segment, DType dtype, long... shape) {
    return Foreign.wrap(segment, dtype, shape);
  }

  /**
   * A tensor over the caller's memory with any geometry (strides and offset in elements, not
   * negative), checked up front against the segment's size. PyTorch: {@code torch.as_strided} over
   * a foreign buffer.
   */
  public static Tensor wrap(MemorySegment segment, DType dtype, long[] shape, long[] strides, long offset) {
    return Foreign.wrap(segment, dtype, shape, strides, offset);
  }

  /**
   * A tensor over a direct {@code FloatBuffer}, {@code DoubleBuffer} or {@code LongBuffer} in native
   * order (its remaining elements; without a shape, 1-D), zero-copy. PyTorch: {@code torch.frombuffer}.
   */
  public static Tensor from(java.nio.Buffer buffer, long... shape) {
    return Foreign.from(buffer, shape);
  }

  /** A tensor of {@code dtype} over a direct byte buffer's remaining bytes, zero-copy. PyTorch: {@code torch.frombuffer(buf, dtype=...)}. */
  public static Tensor from(java.nio.ByteBuffer buffer, DType dtype, long... shape) {
    return Foreign.from(buffer, dtype, shape);
  }

  /**
   * The exact bytes of this contiguous tensor (a slice of its storage, native byte order), to hand
   * to foreign code; valid while the tensor's storage lives. Writes through it are not seen by
   * autograd's version counters. PyTorch: {@code data_ptr()} with {@code numel() * element_size()}.
   *
   * @throws IllegalStateException when the tensor is not contiguous (call {@link #contiguous()})
   */
  public MemorySegment segment() {
    return Foreign.segment(this);
  }

  /** Restarts the default generator from {@code seed}. PyTorch: {@code torch.manual_seed(seed)}. */
  public static void manualSeed(long seed) {
    Generator.defaultGenerator().manualSeed(seed);
  }

  /** Float32 values uniform in [0, 1) from the default generator. PyTorch: {@code torch.rand(*shape)}. */
  public static Tensor rand(long... shape) {
    return rand(null, shape);
  }

  /** Float32 values uniform in [0, 1) from {@code generator}. PyTorch: {@code torch.rand(*shape, generator=g)}. */
  public static Tensor rand(Generator generator, long... shape) {
    return Factories.drawn(shape, false, generator);
  }

  /** Float32 standard normal values from the default generator. PyTorch: {@code torch.randn(*shape)}. */
  public static Tensor randn(long... shape) {
    return randn(null, shape);
  }

  /** Float32 standard normal values from {@code generator}. PyTorch: {@code torch.randn(*shape, generator=g)}. */
  public static Tensor randn(Generator generator, long... shape) {
    return Factories.drawn(shape, true, generator);
  }

  /** Int64 values uniform in [low, high). PyTorch: {@code torch.randint(low, high, shape)}. */
  public static Tensor randint(long low, long high, long... shape) {
    return Factories.randint(low, high, shape, null);
  }

  /** Int64 values uniform in [low, high) from {@code generator}. PyTorch: {@code torch.randint(low, high, shape, generator=g)}. */
  public static Tensor randint(Generator generator, long low, long high, long... shape) {
    return Factories.randint(low, high, shape, generator);
  }

  /** A random permutation of 0 .. n-1 (int64). PyTorch: {@code torch.randperm(n)}. */
  public static Tensor randperm(long n) {
    return Factories.randperm(n, null);
  }

  /** A random permutation of 0 .. n-1 from {@code generator}. PyTorch: {@code torch.randperm(n, generator=g)}. */
  public static Tensor randperm(long n, Generator generator) {
    return Factories.randperm(n, generator);
  }

  /** 1 with the probability held in each element, else 0. PyTorch: {@code torch.bernoulli(t)}. */
  public Tensor bernoulli() {
    return Factories.bernoulli(this, null);
  }

  /** {@link #bernoulli()} drawing from {@code generator}. PyTorch: {@code torch.bernoulli(t, generator=g)}. */
  public Tensor bernoulli(Generator generator) {
    return Factories.bernoulli(this, generator);
  }

  /** Fills this tensor with values uniform in [low, high); returns this. PyTorch: {@code uniform_(low, high)}. */
  public Tensor uniform_(double low, double high) {
    return Factories.uniform(this, low, high, null);
  }

  /** {@link #uniform_(double, double)} drawing from {@code generator}. PyTorch: {@code uniform_(low, high, generator=g)}. */
  public Tensor uniform_(double low, double high, Generator generator) {
    return Factories.uniform(this, low, high, generator);
  }

  /** Fills this tensor with normal values; returns this. PyTorch: {@code normal_(mean, std)}. */
  public Tensor normal_(double mean, double std) {
    return Factories.normal(this, mean, std, null);
  }

  /** {@link #normal_(double, double)} drawing from {@code generator}. PyTorch: {@code normal_(mean, std, generator=g)}. */
  public Tensor normal_(double mean, double std, Generator generator) {
    return Factories.normal(this, mean, std, generator);
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
    t.kernels().fill(t.seg(), 0, numel, value);
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

  /** The element type. PyTorch: {@code dtype}. */
  public DType dtype() {
    return dtype;
  }

  /** Elements to step in storage per index of each dim (a copy). PyTorch: {@code stride()}. */
  public long[] stride() {
    return strides.clone();
  }

  /** Position of the first element in the storage, in elements. PyTorch: {@code storage_offset()}. */
  public long storageOffset() {
    return offset;
  }

  /** Whether the elements lie in row-major order without gaps. PyTorch: {@code is_contiguous()}. */
  public boolean isContiguous() {
    return contiguous;
  }

  /** This tensor if contiguous, else a contiguous copy (recorded as {@code CloneBackward0}). PyTorch: {@code contiguous()}. */
  public Tensor contiguous() {
    ensureOpen();
    return contiguous ? this : Copies.cloneOf(this);
  }

  /** PyTorch: {@code requires_grad}. */
  public boolean requiresGrad() {
    if (rare != null) refreshViewHistory();
    return requiresGrad;
  }

  /**
   * Sets whether autograd records ops on this leaf; returns this. PyTorch: {@code requires_grad_()}.
   *
   * @throws IllegalStateException on a non-leaf, with PyTorch's message
   */
  public Tensor requiresGrad_(boolean requiresGrad) {
    ensureOpen();
    if (requiresGrad && !dtype.isFloatingPoint()) {
      throw new IllegalStateException("only Tensors of floating point dtype can require gradients");
    }
    if (gradFn() != null) {
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
    return gradFn() == null;
  }

  /**
   * The accumulated gradient, or null: for leaves that require grad after a backward pass, and for
   * non-leaves that {@link #retainGrad()}. It belongs to this tensor and is closed with it.
   * PyTorch: {@code grad}.
   */
  public Tensor grad() {
    Rare r = rare;
    return r == null ? null : r.grad;
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
      Rare r = rare();
      Tensor old = r.grad;
      r.grad = newGrad;
      if (old != null && old != newGrad) old.close();
    }
  }

  /** The node that computed this tensor, or null for a leaf. PyTorch: {@code grad_fn}. */
  public Node gradFn() {
    if (rare != null) refreshViewHistory();
    return gradFn;
  }

  /**
   * A view whose storage was modified in place after its history was recorded (through another
   * view or the base) now depends on the base's new history: as PyTorch, its {@code gradFn} is
   * regenerated as {@code AsStridedBackward0} of the base.
   */
  private void refreshViewHistory() {
    Rare r = rare;
    Tensor base = r.viewBase;
    if (base == null) return;
    long v = version();
    if (v == r.gradFnVersion) return;
    r.gradFnVersion = v;
    // PyTorch keeps the history only of a view that has none and whose base does not require grad; a view with
    // history of such a base (expand of a view made a leaf by requires_grad_) is cut off from it, as in torch
    if (base.requiresGrad || gradFn != null) {
      gradFn = ViewHistory.asStrided(base, this);
      requiresGrad = true;
    }
  }

  /** Whether a non-leaf keeps its gradient ({@code retains_grad}). */
  public boolean retainsGrad() {
    Rare r = rare;
    return r != null && r.retainsGrad;
  }

  /**
   * Makes backward store this non-leaf's gradient in {@link #grad()} (accumulating over calls);
   * a no-op on leaves. PyTorch: {@code retain_grad()}.
   */
  public void retainGrad() {
    ensureOpen();
    if (gradFn() == null) {
      if (!requiresGrad) throw new IllegalStateException("can't retain_grad on Tensor that has requires_grad=False");
      return;
    }
    Rare r = rare();
    if (r.retainsGrad) return;
    r.retainsGrad = true;
    retainGradOn(gradFn);
  }

  /**
   * Hooks {@link #retainGrad()} onto {@code node}, the tensor's gradFn: an in-place op on this tensor moves the
   * retained gradient onto its new node, as PyTorch 1.13 moves retains_grad hooks (one through a view of it does
   * not: the gradient then stays that of the value before the write, as in PyTorch).
   */
  void retainGradOn(Node node) {
    Rare r = rare();
    r.retainedOn = node;
    node.registerPreHook(g -> {
      if (r.retainedOn == node) accumulateGrad(g);
    });
  }

  /**
   * Runs {@code hook} with the gradient with respect to this tensor each time backward computes it;
   * a non-null result (of the same shape and dtype) replaces that gradient, null keeps it. On a leaf
   * the hooks run before the gradient is added into {@link #grad()}, so the replacement is what
   * accumulates; on a non-leaf the replacement flows on into {@link #gradFn()}. Several hooks run in
   * registration order, each seeing the previous one's result. Returns a handle that unregisters it.
   * PyTorch: {@code register_hook(hook)}, with PyTorch 1.13's rules:
   *
   * <ul>
   *   <li>The hooks attach to the node this tensor has when its first hook is registered; an in-place op
   *       later gives the tensor a new {@code gradFn} but leaves its hooks (and the hooks registered
   *       after it) on the old node, where they see the gradient of the value before the write.
   *       {@link #retainGrad()} keeps the gradient after the hooks registered before it, before the
   *       ones registered after it (retain first, then hook: {@code grad()} is the unhooked one).
   *   <li>A hook runs with grad mode off and must not modify its argument in place. The gradient it gets,
   *       and whatever it makes, belong to the backward pass and are released when the pass ends: a hook
   *       that keeps one keeps a copy ({@code g.clone().keep()}).
   *   <li>A hook that throws ends the backward pass with its exception: each leaf's {@code grad} is then
   *       either fully updated (its accumulator ran before) or untouched, and the graph stays whole, so a
   *       later backward (with {@code retainGraph} where needed) works.
   *   <li>Removing a hook ({@link RemovableHandle#remove()}) while backward runs this tensor's hooks takes
   *       effect from the next time backward reaches it.
   *   <li>A hook never gets null. PyTorch differs for one output of {@code split}, {@code chunk} or
   *       {@code unbind} when backward reaches only the others: it calls that output's hooks with
   *       {@code None}; here each output has its own node, which backward then does not reach.
   * </ul>
   *
   * @throws IllegalStateException if this tensor does not require grad (PyTorch's message); at backward
   *     time, if a hook returns a tensor of another dtype or shape ("hook '&lt;lambda&gt;' has changed the
   *     size of value", naming a named class by its simple name)
   */
  public RemovableHandle registerHook(java.util.function.UnaryOperator<Tensor> hook) {
    return TensorHooks.register(this, hook);
  }

  /** Whether {@code t} views the shared implicit gradient of 0-dim outputs (see {@link #UNIT_GRADS}). */
  static boolean sharesUnitGrad(Tensor t) {
    return t.storage == UNIT_GRADS[0].storage || t.storage == UNIT_GRADS[1].storage;
  }

  /** The number of in-place modifications seen by this tensor's data. PyTorch: {@code _version}. */
  public long version() {
    Rare r = rare;
    Version v = r == null ? null : r.version;
    return v == null ? 0 : v.value;
  }

  /**
   * A new leaf sharing this tensor's data and version counter, outside the graph.
   * PyTorch: {@code detach()}.
   */
  public Tensor detach() {
    return alias(versionCounter(), shape, strides, offset);
  }

  /**
   * A new leaf sharing this tensor's data, with a version counter of its own, so in-place changes
   * through it go unnoticed by autograd (as PyTorch's {@code .data}). PyTorch: {@code data}.
   */
  public Tensor data() {
    return alias(null, shape, strides, offset);
  }

  /** A contiguous tensor's data under another shape of the same numel; {@code v} null for a counter of its own. */
  Tensor reshaped(Version v, long[] newShape) {
    return alias(v, newShape, Shapes.contiguousStrides(newShape), offset);
  }

  /**
   * A new tensor on this tensor's storage with the given geometry (not checked: callers derive it
   * from this tensor's); {@code v} is the version counter to share, null for a counter of its own.
   */
  Tensor alias(Version v, long[] newShape, long[] newStrides, long newOffset) {
    ensureOpen();
    if (pending != null) Fusion.force(this);   // a view reads the storage directly
    storage.retain();
    return new Tensor(storage, dtype, newShape, newStrides, newOffset, Shapes.numel(newShape), v);
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
    return Arithmetic.withScalar(BinaryOp.ADD, this, value, false);
  }

  /** {@code this - value}. PyTorch: {@code t - 2}. */
  public Tensor sub(double value) {
    return Arithmetic.withScalar(BinaryOp.SUB, this, value, false);
  }

  /** {@code this * value}. PyTorch: {@code t * 2}. */
  public Tensor mul(double value) {
    return Arithmetic.withScalar(BinaryOp.MUL, this, value, false);
  }

  /** {@code this / value}. PyTorch: {@code t / 2}. */
  public Tensor div(double value) {
    return Arithmetic.withScalar(BinaryOp.DIV, this, value, false);
  }

  /** {@code this + value} with an integral scalar (PyTorch's Python int: an int64 tensor stays int64). PyTorch: {@code t + 2}. */
  public Tensor add(long value) {
    return Arithmetic.withLong(BinaryOp.ADD, this, value);
  }

  /** {@code this - value} with an integral scalar. PyTorch: {@code t - 2}. */
  public Tensor sub(long value) {
    return Arithmetic.withLong(BinaryOp.SUB, this, value);
  }

  /** {@code this * value} with an integral scalar. PyTorch: {@code t * 2}. */
  public Tensor mul(long value) {
    return Arithmetic.withLong(BinaryOp.MUL, this, value);
  }

  /** {@code this / value}: true division (integer tensors give float32). PyTorch: {@code t / 2}. */
  public Tensor div(long value) {
    return Arithmetic.withLong(BinaryOp.DIV, this, value);
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

  // ---------------------------------------------------------------- elementwise math (unary, activations)

  /** Elementwise e^x; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.exp}. */
  public Tensor exp() {
    return UnaryOps.exp(this);
  }

  /** Elementwise 2^x; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.exp2}. */
  public Tensor exp2() {
    return UnaryOps.exp2(this);
  }

  /** Elementwise e^x - 1, accurate near 0; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.expm1}. */
  public Tensor expm1() {
    return UnaryOps.expm1(this);
  }

  /** Elementwise natural logarithm; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.log}. */
  public Tensor log() {
    return UnaryOps.log(this);
  }

  /** Elementwise base-2 logarithm; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.log2}. */
  public Tensor log2() {
    return UnaryOps.log2(this);
  }

  /** Elementwise base-10 logarithm; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.log10}. */
  public Tensor log10() {
    return UnaryOps.log10(this);
  }

  /** Elementwise log(1 + x), accurate near 0; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.log1p}. */
  public Tensor log1p() {
    return UnaryOps.log1p(this);
  }

  /** Elementwise square root; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.sqrt}. */
  public Tensor sqrt() {
    return UnaryOps.sqrt(this);
  }

  /** Elementwise 1 / sqrt(x); integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.rsqrt}. */
  public Tensor rsqrt() {
    return UnaryOps.rsqrt(this);
  }

  /** Elementwise absolute value; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.abs}. */
  public Tensor abs() {
    return UnaryOps.abs(this);
  }

  /** Elementwise -1, 0 or 1 (0 for NaN); integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.sign}. */
  public Tensor sign() {
    return UnaryOps.sign(this);
  }

  /** Elementwise 1 / x; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.reciprocal}. */
  public Tensor reciprocal() {
    return UnaryOps.reciprocal(this);
  }

  /** Elementwise x * x; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.square}. */
  public Tensor square() {
    return UnaryOps.square(this);
  }

  /** Elementwise sine; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.sin}. */
  public Tensor sin() {
    return UnaryOps.sin(this);
  }

  /** Elementwise cosine; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.cos}. */
  public Tensor cos() {
    return UnaryOps.cos(this);
  }

  /** Elementwise tangent; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.tan}. */
  public Tensor tan() {
    return UnaryOps.tan(this);
  }

  /** Elementwise arcsine; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.asin}. */
  public Tensor asin() {
    return UnaryOps.asin(this);
  }

  /** Elementwise arccosine; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.acos}. */
  public Tensor acos() {
    return UnaryOps.acos(this);
  }

  /** Elementwise arctangent; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.atan}. */
  public Tensor atan() {
    return UnaryOps.atan(this);
  }

  /** Elementwise hyperbolic sine; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.sinh}. */
  public Tensor sinh() {
    return UnaryOps.sinh(this);
  }

  /** Elementwise hyperbolic cosine; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.cosh}. */
  public Tensor cosh() {
    return UnaryOps.cosh(this);
  }

  /** Elementwise hyperbolic tangent; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.tanh}. */
  public Tensor tanh() {
    return UnaryOps.tanh(this);
  }

  /** Elementwise logistic sigmoid 1 / (1 + e^-x); integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.sigmoid}. */
  public Tensor sigmoid() {
    return UnaryOps.sigmoid(this);
  }

  /** Elementwise max(x, 0), NaN kept; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.relu}. */
  public Tensor relu() {
    return UnaryOps.relu(this);
  }

  /** Elementwise error function; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.erf}. */
  public Tensor erf() {
    return UnaryOps.erf(this);
  }

  /** Elementwise rounding down; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.floor}. */
  public Tensor floor() {
    return UnaryOps.floor(this);
  }

  /** Elementwise rounding up; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.ceil}. */
  public Tensor ceil() {
    return UnaryOps.ceil(this);
  }

  /** Elementwise rounding half to even; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.round}. */
  public Tensor round() {
    return UnaryOps.round(this);
  }

  /** Elementwise rounding toward zero; integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.trunc}. */
  public Tensor trunc() {
    return UnaryOps.trunc(this);
  }

  /** Elementwise x - trunc(x); integer inputs compute in float32 where PyTorch does. PyTorch: {@code torch.frac}. */
  public Tensor frac() {
    return UnaryOps.frac(this);
  }

  /** Whether each element is NaN (bool). PyTorch: {@code torch.isnan}. */
  public Tensor isnan() {
    return UnaryOps.isnan(this);
  }

  /** Whether each element is infinite (bool). PyTorch: {@code torch.isinf}. */
  public Tensor isinf() {
    return UnaryOps.isinf(this);
  }

  /** Whether each element is finite (bool). PyTorch: {@code torch.isfinite}. */
  public Tensor isfinite() {
    return UnaryOps.isfinite(this);
  }

  /** NaN as 0 and infinities as the dtype's largest finite values. PyTorch: {@code torch.nan_to_num}. */
  public Tensor nanToNum() {
    return UnaryOps.nanToNum(this, 0, Double.NaN, Double.NaN);
  }

  /** NaN, +inf and -inf replaced by the given values. PyTorch: {@code torch.nan_to_num(nan, posinf, neginf)}. */
  public Tensor nanToNum(double nan, double posinf, double neginf) {
    return UnaryOps.nanToNum(this, nan, posinf, neginf);
  }

  /** {@link #exp()} in place; returns this. PyTorch: {@code exp_()}. */
  public Tensor exp_() {
    return UnaryOps.inPlace(this, "exp");
  }

  /** {@link #relu()} in place; returns this. PyTorch: {@code relu_()}. */
  public Tensor relu_() {
    return UnaryOps.inPlace(this, "relu");
  }

  /** {@link #sigmoid()} in place; returns this. PyTorch: {@code sigmoid_()}. */
  public Tensor sigmoid_() {
    return UnaryOps.inPlace(this, "sigmoid");
  }

  /** {@link #tanh()} in place; returns this. PyTorch: {@code tanh_()}. */
  public Tensor tanh_() {
    return UnaryOps.inPlace(this, "tanh");
  }

  // ---------------------------------------------------------------- pointwise binary math, comparisons, clamp

  /** this ^ exponent. PyTorch: {@code torch.pow(t, exponent)}. */
  public Tensor pow(double exponent) {
    return Pointwise.pow(this, exponent);
  }

  /** this ^ exponent, broadcasting. PyTorch: {@code torch.pow(t, exponent)}. */
  public Tensor pow(Tensor exponent) {
    return Pointwise.pow(this, exponent);
  }

  /** base ^ exponent for a scalar base. PyTorch: {@code torch.pow(base, exponent)}. */
  public static Tensor pow(double base, Tensor exponent) {
    return Pointwise.pow(base, exponent);
  }

  /** The elementwise maximum, NaN propagated, broadcasting. PyTorch: {@code torch.maximum}. */
  public Tensor maximum(Tensor other) {
    return Pointwise.maximum(this, other);
  }

  /** The elementwise minimum, NaN propagated, broadcasting. PyTorch: {@code torch.minimum}. */
  public Tensor minimum(Tensor other) {
    return Pointwise.minimum(this, other);
  }

  /** The atan2(this, other), broadcasting. PyTorch: {@code torch.atan2}. */
  public Tensor atan2(Tensor other) {
    return Pointwise.atan2(this, other);
  }

  /** The C-style remainder (sign of the dividend). PyTorch: {@code torch.fmod}. */
  public Tensor fmod(double other) {
    return Pointwise.fmod(this, other);
  }

  /** The C-style remainder (sign of the dividend), broadcasting. PyTorch: {@code torch.fmod}. */
  public Tensor fmod(Tensor other) {
    return Pointwise.fmod(this, other);
  }

  /** The Python-style remainder (sign of the divisor). PyTorch: {@code torch.remainder}. */
  public Tensor remainder(double other) {
    return Pointwise.remainder(this, other);
  }

  /** The Python-style remainder (sign of the divisor), broadcasting. PyTorch: {@code torch.remainder}. */
  public Tensor remainder(Tensor other) {
    return Pointwise.remainder(this, other);
  }

  /** this == other as bool, broadcasting. PyTorch: {@code torch.eq}. */
  public Tensor eq(Tensor other) {
    return Pointwise.compare("eq", this, other);
  }

  /** this == value as bool. PyTorch: {@code torch.eq}. */
  public Tensor eq(double value) {
    return Pointwise.compare("eq", this, value);
  }

  /** this != other as bool, broadcasting. PyTorch: {@code torch.ne}. */
  public Tensor ne(Tensor other) {
    return Pointwise.compare("ne", this, other);
  }

  /** this != value as bool. PyTorch: {@code torch.ne}. */
  public Tensor ne(double value) {
    return Pointwise.compare("ne", this, value);
  }

  /** {@code this < other} as bool, broadcasting. PyTorch: {@code torch.lt}. */
  public Tensor lt(Tensor other) {
    return Pointwise.compare("lt", this, other);
  }

  /** {@code this < value} as bool. PyTorch: {@code torch.lt}. */
  public Tensor lt(double value) {
    return Pointwise.compare("lt", this, value);
  }

  /** {@code this <= other} as bool, broadcasting. PyTorch: {@code torch.le}. */
  public Tensor le(Tensor other) {
    return Pointwise.compare("le", this, other);
  }

  /** {@code this <= value} as bool. PyTorch: {@code torch.le}. */
  public Tensor le(double value) {
    return Pointwise.compare("le", this, value);
  }

  /** this > other as bool, broadcasting. PyTorch: {@code torch.gt}. */
  public Tensor gt(Tensor other) {
    return Pointwise.compare("gt", this, other);
  }

  /** this > value as bool. PyTorch: {@code torch.gt}. */
  public Tensor gt(double value) {
    return Pointwise.compare("gt", this, value);
  }

  /** this >= other as bool, broadcasting. PyTorch: {@code torch.ge}. */
  public Tensor ge(Tensor other) {
    return Pointwise.compare("ge", this, other);
  }

  /** this >= value as bool. PyTorch: {@code torch.ge}. */
  public Tensor ge(double value) {
    return Pointwise.compare("ge", this, value);
  }

  /** Elementwise logical and of the truth values (bool). PyTorch: {@code torch.logical_and}. */
  public Tensor logicalAnd(Tensor other) {
    return Pointwise.logical("logical_and", this, other);
  }

  /** Elementwise logical or of the truth values (bool). PyTorch: {@code torch.logical_or}. */
  public Tensor logicalOr(Tensor other) {
    return Pointwise.logical("logical_or", this, other);
  }

  /** Elementwise logical xor of the truth values (bool). PyTorch: {@code torch.logical_xor}. */
  public Tensor logicalXor(Tensor other) {
    return Pointwise.logical("logical_xor", this, other);
  }

  /** Elementwise logical not of the truth values (bool). PyTorch: {@code torch.logical_not}. */
  public Tensor logicalNot() {
    return Pointwise.logicalNot(this);
  }

  /** Each element limited to [min, max]. PyTorch: {@code torch.clamp(min, max)}. */
  public Tensor clamp(double min, double max) {
    return UnaryOps.clamp(this, min, max);
  }

  /** Each element at least min. PyTorch: {@code torch.clamp_min(min)}. */
  public Tensor clampMin(double min) {
    return UnaryOps.clamp(this, min, Double.NaN);
  }

  /** Each element at most max. PyTorch: {@code torch.clamp_max(max)}. */
  public Tensor clampMax(double max) {
    return UnaryOps.clamp(this, Double.NaN, max);
  }

  /** {@link #clamp} in place; returns this. PyTorch: {@code clamp_(min, max)}. */
  public Tensor clamp_(double min, double max) {
    return UnaryOps.clampInPlace(this, min, max);
  }

  /** this + weight * (end - this). PyTorch: {@code torch.lerp(t, end, weight)}. */
  public Tensor lerp(Tensor end, double weight) {
    return Pointwise.lerp(this, end, weight);
  }

  /** this + value * t1 * t2. PyTorch: {@code torch.addcmul(t, t1, t2, value=value)}. */
  public Tensor addcmul(Tensor t1, Tensor t2, double value) {
    return Pointwise.addcmul(this, t1, t2, value);
  }

  /** this + value * t1 / t2. PyTorch: {@code torch.addcdiv(t, t1, t2, value=value)}. */
  public Tensor addcdiv(Tensor t1, Tensor t2, double value) {
    return Pointwise.addcdiv(this, t1, t2, value);
  }

  /** this += value in place; returns this. PyTorch: {@code add_(value)}. */
  public Tensor add_(double value) {
    return Pointwise.inPlace("add", this, value);
  }

  /** this -= value in place; returns this. PyTorch: {@code sub_(value)}. */
  public Tensor sub_(double value) {
    return Pointwise.inPlace("sub", this, value);
  }

  /** this *= value in place; returns this. PyTorch: {@code mul_(value)}. */
  public Tensor mul_(double value) {
    return Pointwise.inPlace("mul", this, value);
  }

  /** this /= value in place; returns this. PyTorch: {@code div_(value)}. */
  public Tensor div_(double value) {
    return Pointwise.inPlace("div", this, value);
  }

  /** this -= other in place (broadcast to this); returns this. PyTorch: {@code sub_(other)}. */
  public Tensor sub_(Tensor other) {
    return Pointwise.inPlace("sub", this, other);
  }

  /** this *= other in place (broadcast to this); returns this. PyTorch: {@code mul_(other)}. */
  public Tensor mul_(Tensor other) {
    return Pointwise.inPlace("mul", this, other);
  }

  /** this /= other in place (broadcast to this); returns this. PyTorch: {@code div_(other)}. */
  public Tensor div_(Tensor other) {
    return Pointwise.inPlace("div", this, other);
  }

  // ---------------------------------------------------------------- reductions, softmax

  /** The largest element, a 0-dim tensor (NaN if any). PyTorch: {@code max()}. */
  public Tensor max() {
    return Extrema.all(this, true);
  }

  /** The smallest element, a 0-dim tensor (NaN if any). PyTorch: {@code min()}. */
  public Tensor min() {
    return Extrema.all(this, false);
  }

  /** The largest elements along dim and where they are. PyTorch: {@code max(dim, keepdim)}. */
  public ValuesIndices max(int dim, boolean keepdim) {
    return Extrema.alongDim(this, dim, keepdim, true);
  }

  /** The smallest elements along dim and where they are. PyTorch: {@code min(dim, keepdim)}. */
  public ValuesIndices min(int dim, boolean keepdim) {
    return Extrema.alongDim(this, dim, keepdim, false);
  }

  /** The largest elements over dims. PyTorch: {@code amax(dims, keepdim)}. */
  public Tensor amax(int[] dims, boolean keepdim) {
    return Extrema.amax(this, dims, keepdim, true);
  }

  /** The smallest elements over dims. PyTorch: {@code amin(dims, keepdim)}. */
  public Tensor amin(int[] dims, boolean keepdim) {
    return Extrema.amax(this, dims, keepdim, false);
  }

  /** The flat index of the largest element (int64, 0-dim). PyTorch: {@code argmax()}. */
  public Tensor argmax() {
    return Extrema.argAll(this, true);
  }

  /** The flat index of the smallest element (int64, 0-dim). PyTorch: {@code argmin()}. */
  public Tensor argmin() {
    return Extrema.argAll(this, false);
  }

  /** The index of the largest element along dim (int64). PyTorch: {@code argmax(dim, keepdim)}. */
  public Tensor argmax(int dim, boolean keepdim) {
    return Extrema.argAlongDim(this, dim, keepdim, true);
  }

  /** The index of the smallest element along dim (int64). PyTorch: {@code argmin(dim, keepdim)}. */
  public Tensor argmin(int dim, boolean keepdim) {
    return Extrema.argAlongDim(this, dim, keepdim, false);
  }

  /** The product of all elements, a 0-dim tensor. PyTorch: {@code prod()}. */
  public Tensor prod() {
    return Statistics.prod(this);
  }

  /** The variance of all elements with Bessel's correction. PyTorch: {@code var()}. */
  public Tensor var() {
    return Statistics.var(this, new int[0], 1, false, false);
  }

  /** The standard deviation of all elements with Bessel's correction. PyTorch: {@code std()}. */
  public Tensor std() {
    return Statistics.var(this, new int[0], 1, false, true);
  }

  /** The variance over dims, dividing by N - correction. PyTorch: {@code var(dim, correction=c, keepdim)}. */
  public Tensor var(int[] dims, long correction, boolean keepdim) {
    return Statistics.var(this, dims, correction, keepdim, false);
  }

  /** The standard deviation over dims, dividing by N - correction. PyTorch: {@code std(dim, correction=c, keepdim)}. */
  public Tensor std(int[] dims, long correction, boolean keepdim) {
    return Statistics.var(this, dims, correction, keepdim, true);
  }

  /** log(sum(exp(x))) over dims, without overflow. PyTorch: {@code logsumexp(dims, keepdim)}. */
  public Tensor logsumexp(int[] dims, boolean keepdim) {
    return Statistics.logsumexp(this, dims, keepdim);
  }

  /** The 2-norm of all elements. PyTorch: {@code norm()}. */
  public Tensor norm() {
    return Statistics.norm(this, 2, new int[0], false);
  }

  /** The p-norm over dims (p may be infinite). PyTorch: {@code norm(p, dims, keepdim)}. */
  public Tensor norm(double p, int[] dims, boolean keepdim) {
    return Statistics.norm(this, p, dims, keepdim);
  }

  /** Running sums along dim. PyTorch: {@code cumsum(dim)}. */
  public Tensor cumsum(int dim) {
    return Statistics.cumsum(this, dim);
  }

  /** Whether every element is nonzero (bool, 0-dim). PyTorch: {@code all()}. */
  public Tensor all() {
    return Statistics.all(this, true);
  }

  /** Whether any element is nonzero (bool, 0-dim). PyTorch: {@code any()}. */
  public Tensor any() {
    return Statistics.all(this, false);
  }

  /** The number of nonzero elements (int64, 0-dim). PyTorch: {@code count_nonzero()}. */
  public Tensor countNonzero() {
    return Statistics.countNonzero(this, new int[0]);
  }

  /** The number of nonzero elements over dims (int64). PyTorch: {@code count_nonzero(dims)}. */
  public Tensor countNonzero(int... dims) {
    return Statistics.countNonzero(this, dims);
  }

  /** exp(x) / sum(exp(x)) along dim, computed without overflow. PyTorch: {@code softmax(dim)}. */
  public Tensor softmax(int dim) {
    return Softmax.softmax(this, dim, false);
  }

  /** log(softmax(x)) along dim, computed without overflow. PyTorch: {@code log_softmax(dim)}. */
  public Tensor logSoftmax(int dim) {
    return Softmax.softmax(this, dim, true);
  }

  // ---------------------------------------------------------------- matrix products

  /**
   * The matrix product with PyTorch's rules for ranks: 1-D x 1-D is a dot product, 2-D x 1-D
   * {@code mv}, 2-D x 2-D {@code mm}, and higher ranks batch over the leading dims (broadcast).
   * PyTorch: {@code torch.matmul} / {@code @}.
   */
  public Tensor matmul(Tensor other) {
    return LinearAlgebra.matmul(this, other);
  }

  /** The product of two matrices. PyTorch: {@code torch.mm}. */
  public Tensor mm(Tensor other) {
    return LinearAlgebra.mm(this, other);
  }

  /** Batched matrix products of two 3-D tensors. PyTorch: {@code torch.bmm}. */
  public Tensor bmm(Tensor other) {
    return LinearAlgebra.bmm(this, other);
  }

  /** Matrix times vector. PyTorch: {@code torch.mv}. */
  public Tensor mv(Tensor vector) {
    return LinearAlgebra.mv(this, vector);
  }

  /** The dot product of two 1-D tensors (0-dim result). PyTorch: {@code torch.dot}. */
  public Tensor dot(Tensor other) {
    return LinearAlgebra.dot(this, other);
  }

  /** The outer product of two 1-D tensors. PyTorch: {@code torch.outer}. */
  public Tensor outer(Tensor other) {
    return LinearAlgebra.outer(this, other);
  }

  /** {@code beta * bias + alpha * (a @ b)}, bias broadcast. PyTorch: {@code torch.addmm(bias, a, b, beta=beta, alpha=alpha)}. */
  public static Tensor addmm(Tensor bias, Tensor a, Tensor b, double beta, double alpha) {
    return LinearAlgebra.addmm(bias, a, b, beta, alpha);
  }

  // ---------------------------------------------------------------- views and shapes

  /**
   * The same data under another shape (one size may be -1: inferred); no copy. PyTorch: {@code view(*shape)}.
   *
   * @throws IllegalArgumentException when the size does not match, or the strides cannot express the
   *     new shape (PyTorch's message: use {@code reshape})
   */
  public Tensor view(long... shape) {
    return Views.view(this, shape);
  }

  /** {@link #view} when the strides allow it, else a contiguous copy. PyTorch: {@code reshape(*shape)}. */
  public Tensor reshape(long... shape) {
    return Views.reshape(this, shape);
  }

  /** All dims as one: a 1-D tensor (a view when possible). PyTorch: {@code flatten()}. */
  public Tensor flatten() {
    return Views.flatten(this, 0, -1);
  }

  /** Dims {@code startDim..endDim} as one (a view when possible). PyTorch: {@code flatten(start_dim, end_dim)}. */
  public Tensor flatten(int startDim, int endDim) {
    return Views.flatten(this, startDim, endDim);
  }

  /** Dim {@code dim} split into {@code sizes} (one may be -1). PyTorch: {@code unflatten(dim, sizes)}. */
  public Tensor unflatten(int dim, long... sizes) {
    return Views.unflatten(this, dim, sizes);
  }

  /** A view with dims {@code dim0} and {@code dim1} swapped. PyTorch: {@code transpose(dim0, dim1)}. */
  public Tensor transpose(int dim0, int dim1) {
    return Views.transpose(this, dim0, dim1);
  }

  /** The transpose of a tensor of at most 2 dims (a view). PyTorch: {@code t()}. */
  public Tensor t() {
    return Views.t(this);
  }

  /** A view with the dims in the order {@code dims}. PyTorch: {@code permute(*dims)}. */
  public Tensor permute(int... dims) {
    return Views.permute(this, dims);
  }

  /** A view with the last two dims swapped (batched matrix transpose). PyTorch: {@code mT}. */
  public Tensor mT() {
    return Views.mT(this);
  }

  /** A view repeating size-1 dims (stride 0) to {@code sizes}; -1 keeps a size. PyTorch: {@code expand(*sizes)}. */
  public Tensor expand(long... sizes) {
    return Views.expand(this, sizes);
  }

  /** {@link #expand} to {@code other}'s shape. PyTorch: {@code expand_as(other)}. */
  public Tensor expandAs(Tensor other) {
    return Views.expand(this, other.shape());
  }

  /** A view without the size-1 dims. PyTorch: {@code squeeze()}. */
  public Tensor squeeze() {
    return Views.squeeze(this);
  }

  /** A view without dim {@code dim} if its size is 1 (else the same shape). PyTorch: {@code squeeze(dim)}. */
  public Tensor squeeze(int dim) {
    return Views.squeeze(this, dim);
  }

  /** A view with a size-1 dim inserted at {@code dim}. PyTorch: {@code unsqueeze(dim)}. */
  public Tensor unsqueeze(int dim) {
    return Views.unsqueeze(this, dim);
  }

  /** A view of {@code length} indices of {@code dim} from {@code start}. PyTorch: {@code narrow(dim, start, length)}. */
  public Tensor narrow(int dim, long start, long length) {
    return Views.narrow(this, dim, start, length);
  }

  /** A view of index {@code index} of {@code dim}, without that dim. PyTorch: {@code select(dim, index)} / {@code t[i]}. */
  public Tensor select(int dim, long index) {
    return Views.select(this, dim, index);
  }

  /**
   * A view of indices {@code start, start + step, ...} below {@code end} of {@code dim}; bounds clamp
   * and count from the end when negative, as Python slicing ({@code Long.MAX_VALUE} for "to the
   * end"). PyTorch: {@code t[start:end:step]} along {@code dim}.
   */
  public Tensor slice(int dim, long start, long end, long step) {
    return Views.slice(this, dim, start, end, step);
  }

  /** Views of {@code size} indices of {@code dim} each (the last may be shorter). PyTorch: {@code split(size, dim)}. */
  public List<Tensor> split(long size, int dim) {
    return Views.split(this, size, dim);
  }

  /** At most {@code chunks} views along {@code dim}, of equal size but the last. PyTorch: {@code chunk(chunks, dim)}. */
  public List<Tensor> chunk(int chunks, int dim) {
    return Views.chunk(this, chunks, dim);
  }

  /** One view per index of {@code dim}, without that dim. PyTorch: {@code unbind(dim)}. */
  public List<Tensor> unbind(int dim) {
    return Views.unbind(this, dim);
  }

  // ---------------------------------------------------------------- copies

  /** The tensors joined along {@code dim} (a copy). PyTorch: {@code torch.cat(tensors, dim)}. */
  public static Tensor cat(int dim, Tensor... tensors) {
    return Copies.cat(dim, List.of(tensors));
  }

  /** The tensors joined along {@code dim} (a copy). PyTorch: {@code torch.cat(tensors, dim)}. */
  public static Tensor cat(int dim, List<Tensor> tensors) {
    return Copies.cat(dim, tensors);
  }

  /** Same-shape tensors stacked along a new dim {@code dim}. PyTorch: {@code torch.stack(tensors, dim)}. */
  public static Tensor stack(int dim, Tensor... tensors) {
    return Copies.stack(dim, List.of(tensors));
  }

  /** A contiguous copy. PyTorch: {@code clone()}. */
  public Tensor clone() {
    return Copies.cloneOf(this);
  }

  /** Copies {@code src} (broadcast, converted to this dtype) into this tensor; returns this. PyTorch: {@code copy_(src)}. */
  public Tensor copy_(Tensor src) {
    return InPlace.copy(this, src);
  }

  // ---------------------------------------------------------------- indexing

  /** The entries at the int64 {@code index} positions of {@code dim}. PyTorch: {@code index_select(dim, index)}. */
  public Tensor indexSelect(int dim, Tensor index) {
    return Indexing.indexSelect(this, dim, index);
  }

  /** {@code out[i][j] = this[index[i][j]][j]} for dim 0 (and so on). PyTorch: {@code gather(dim, index)}. */
  public Tensor gather(int dim, Tensor index) {
    return Indexing.gather(this, dim, index);
  }

  /** A copy of this tensor with {@code src} added at {@code index} along {@code dim}. PyTorch: {@code scatter_add(dim, index, src)}. */
  public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
    return Indexing.scatterAdd(this, dim, index, src, false);
  }

  /** {@link #scatterAdd} in place; returns this. PyTorch: {@code scatter_add_(dim, index, src)}. */
  public Tensor scatterAdd_(int dim, Tensor index, Tensor src) {
    return Indexing.scatterAdd(this, dim, index, src, true);
  }

  /** A copy with {@code value} where the bool {@code mask} (broadcast) is true. PyTorch: {@code masked_fill(mask, value)}. */
  public Tensor maskedFill(Tensor mask, double value) {
    return Indexing.maskedFill(this, mask, value, false);
  }

  /** {@link #maskedFill} in place; returns this. PyTorch: {@code masked_fill_(mask, value)}. */
  public Tensor maskedFill_(Tensor mask, double value) {
    return Indexing.maskedFill(this, mask, value, true);
  }

  /** {@code a} where {@code condition} is true, else {@code b}, broadcast together. PyTorch: {@code torch.where(condition, a, b)}. */
  public static Tensor where(Tensor condition, Tensor a, Tensor b) {
    return Indexing.where(condition, a, b);
  }

  /** The entries where the bool {@code mask} (broadcast) is true, as a 1-D tensor. PyTorch: {@code masked_select(mask)}. */
  public Tensor maskedSelect(Tensor mask) {
    return Indexing.maskedSelect(this, mask);
  }

  /** The indices of nonzero entries, one row each, int64 of shape (n, dim). PyTorch: {@code nonzero()}. */
  public Tensor nonzero() {
    return Indexing.nonzero(this);
  }

  /**
   * One-hot rows of an int64 class tensor: shape {@code shape() + [numClasses]}, int64; -1 infers
   * {@code max + 1}. PyTorch: {@code torch.nn.functional.one_hot(t, num_classes)}.
   */
  public Tensor oneHot(long numClasses) {
    return Indexing.oneHot(this, numClasses);
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
    // PyTorch's order: _make_grads checks the gradient (or that an implicit one is possible) first, then the engine
    // refuses a root that does not require grad
    Tensor rootGrad;
    if (gradient == null) {
      if (requiresGrad() && numel != 1) {
        throw new IllegalStateException("grad can be implicitly created only for scalar outputs");
      }
      rootGrad = null;
    } else {
      gradient.ensureOpen();
      if (!Arrays.equals(gradient.shape, shape)) {
        throw new IllegalArgumentException("Mismatch in shape: grad_output[0] has a shape of "
            + Shapes.torchSize(gradient.shape) + " and output[0] has a shape of " + Shapes.torchSize(shape) + ".");
      }
      rootGrad = gradient;
    }
    if (!requiresGrad()) {
      throw new IllegalStateException("element 0 of tensors does not require grad and does not have a grad_fn");
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

  /**
   * Makes this new op result a non-leaf computed by {@code node}; a no-op for integer and bool
   * results, which never require grad (PyTorch leaves them out of the graph).
   */
  void setHistory(Node node) {
    if (!dtype.isFloatingPoint()) return;
    requiresGrad = true;
    gradFn = node;
  }

  /** Whether an op on this input is recorded: grad mode is on and this tensor requires grad. */
  boolean recordsGrad() {
    return requiresGrad() && ThreadState.current().gradEnabled;
  }

  /** The edge a new node takes to this input: its node, its accumulator if a leaf, or null. */
  Node gradEdge() {
    if (rare != null) refreshViewHistory();
    if (!requiresGrad) return null;
    return gradFn != null ? gradFn : gradAccumulator();
  }

  private AccumulateGrad gradAccumulator() {
    // once made it never changes, and its fields are final: read without the lock
    Rare r = rare;
    AccumulateGrad a = r == null ? null : r.gradAccumulator;
    return a != null ? a : newGradAccumulator();
  }

  private synchronized AccumulateGrad newGradAccumulator() {
    Rare r = rare();
    if (r.gradAccumulator == null) r.gradAccumulator = new AccumulateGrad(this);
    return r.gradAccumulator;
  }

  /** Adds an incoming gradient into {@link #grad}: a copy the first time, in place afterwards. */
  void accumulateGrad(Tensor incoming) {
    synchronized (this) {
      if (isClosed()) return;
      Rare r = rare();
      Tensor g = r.grad;
      if (g == null) {
        Tensor first = stealable(incoming) ? incoming : Casts.copyAs(incoming, dtype);
        first.adoptUnscoped();
        r.grad = first;
      } else {
        Arithmetic.addInto(g, incoming);
      }
    }
  }

  /**
   * Whether a first gradient may become this leaf's {@code grad} as it is, instead of a copy, as
   * PyTorch's AccumulateGrad takes over an incoming gradient that nothing else references: grad mode
   * off (no graph of the gradient is being recorded), this leaf's dtype and shape, contiguous over the
   * whole of a storage (no larger buffer) that was never exported, and owned by the running backward
   * pass's internal scope, so that the pass made it and no user code holds it (the caller's gradOutput
   * or a tensor a hook returns from outside is copied), as must be every other holder of its storage
   * (a view the pass made on the way, such as the transposed product that a {@code t()} weight's
   * gradient is a view of): those close when the pass ends, and nothing writes gradients in place
   * meanwhile. A pending (fused) gradient is computed into its memory first, as any consumer computes
   * it. Taken, it leaves that scope (the pass's end does not close it): the same tensor, or another
   * view of its storage, delivered to a second leaf then fails the ownership test and is copied.
   */
  private boolean stealable(Tensor incoming) {
    TensorScope scope = incoming.owner;
    ThreadState state = ThreadState.current();
    if (state.gradEnabled || scope == null || !scope.internal() || scope != state.scope || incoming.closed
        || incoming.dtype != dtype || !incoming.contiguous || incoming.offset != 0 || incoming.rare != null
        || !Arrays.equals(incoming.shape, shape) || incoming.storage.byteSize() != incoming.numel * dtype.byteSize()
        || incoming.storage.isExported()) {
      return false;
    }
    int holders = incoming.storage.holders();
    if (holders != 1 && !(holders <= 4 && scope.ownsAllHolders(incoming.storage, holders, 64))) {
      return false;
    }
    Fusion.settle(incoming);   // computes it, and any pending tensor that reads it, now
    return true;
  }

  // ---------------------------------------------------------------- values

  /** The value of a one-element tensor. PyTorch: {@code item()}. */
  public double item() {
    ensureOpen();
    if (numel != 1) {
      throw new IllegalStateException("only one element tensors can be converted to Python scalars");
    }
    return kernels().get(seg(), offset);
  }

  /** A copy of the values in row-major order, as float. PyTorch: {@code tolist()} / {@code numpy()}. */
  public float[] toFloatArray() {
    if (numel == 0) return new float[0];   // an empty view's offset may lie past its storage's end (a slice of [0, n])
    try (Tensor t = Casts.contiguousAs(this, DType.FLOAT32)) {
      float[] out = new float[Shapes.arrayLength(numel)];
      MemorySegment.copy(t.seg(), ValueLayout.JAVA_FLOAT_UNALIGNED, t.offset * 4, out, 0, out.length);
      return out;
    }
  }

  /** A copy of the values in row-major order, as double. PyTorch: {@code tolist()} of a float64 tensor. */
  public double[] toDoubleArray() {
    if (numel == 0) return new double[0];   // an empty view's offset may lie past its storage's end (a slice of [0, n])
    try (Tensor t = Casts.contiguousAs(this, DType.FLOAT64)) {
      double[] out = new double[Shapes.arrayLength(numel)];
      MemorySegment.copy(t.seg(), ValueLayout.JAVA_DOUBLE_UNALIGNED, t.offset * 8, out, 0, out.length);
      return out;
    }
  }

  /** A copy of the values in row-major order, as long (floats truncated toward zero). PyTorch: {@code tolist()} of an int64 tensor. */
  public long[] toLongArray() {
    if (numel == 0) return new long[0];   // an empty view's offset may lie past its storage's end (a slice of [0, n])
    if (contiguous && dtype == DType.INT64) {   // read in place, without a handle or a converted copy
      ensureOpen();
      long[] out = new long[Shapes.arrayLength(numel)];
      MemorySegment.copy(seg(), ValueLayout.JAVA_LONG_UNALIGNED, offset * 8, out, 0, out.length);
      return out;
    }
    try (Tensor t = Casts.contiguousAs(this, DType.INT64)) {
      long[] out = new long[Shapes.arrayLength(numel)];
      MemorySegment.copy(t.seg(), ValueLayout.JAVA_LONG_UNALIGNED, t.offset * 8, out, 0, out.length);
      return out;
    }
  }

  /** A copy of the values in row-major order, nonzero as true. PyTorch: {@code tolist()} of a bool tensor. */
  public boolean[] toBooleanArray() {
    try (Tensor t = Casts.contiguousAs(this, DType.BOOL)) {
      boolean[] out = new boolean[Shapes.arrayLength(numel)];
      for (int i = 0; i < out.length; i++) out[i] = t.seg().get(ValueLayout.JAVA_BYTE, t.offset + i) != 0;
      return out;
    }
  }

  /** Storage index of the element at row-major position {@code flat}. */
  long elementOffset(long flat) {
    if (contiguous) return offset + flat;
    long off = offset;
    for (int d = shape.length - 1; d >= 0; d--) {
      long size = shape[d];
      off += (flat % size) * strides[d];
      flat /= size;
    }
    return off;
  }

  /** PyTorch's {@code str(tensor)}: e.g. {@code tensor(0.2500, grad_fn=<MeanBackward0>)}. */
  @Override
  public String toString() {
    if (isClosed()) return "tensor(<closed>)";
    List<String> suffixes = new ArrayList<>(1);
    Node fn = gradFn();
    if (fn != null) {
      suffixes.add("grad_fn=<" + fn.name() + ">");
    } else if (requiresGrad) {
      suffixes.add("requires_grad=True");
    }
    ElementKernels k = kernels();
    return switch (dtype) {
      case FLOAT32, FLOAT64 -> TensorFormatter.format(i -> k.get(seg(), elementOffset(i)), shape,
          dtype == DType.FLOAT64, suffixes);
      case INT64 -> TensorFormatter.formatInt64(i -> k.getLong(seg(), elementOffset(i)), shape, suffixes);
      case BOOL -> TensorFormatter.formatBool(i -> k.getLong(seg(), elementOffset(i)), shape, suffixes);
    };
  }

  // ---------------------------------------------------------------- lifetime

  /**
   * Releases this tensor's hold on its data now (the data is freed when no view holds it) and
   * closes its gradient. Idempotent. Any later use of this tensor throws {@link IllegalStateException}.
   */
  @Override
  public void close() {
    closeWith(null);
  }

  /** As {@link #close()}, with the calling thread's context at hand (a scope closing what it owns), or null. */
  void closeWith(ThreadContext context) {
    if (!CLOSED.compareAndSet(this, false, true)) return;
    if (pending != null) Fusion.drop(this);   // never read: never computed
    if (storage.pendingReaders() != null) Fusion.forceReaders(storage);   // they read this memory: compute them now
    Rare r = rare;
    Tensor g = r == null ? null : r.grad;
    if (g != null) {   // a volatile write only when there is a gradient: most closed tensors have none
      r.grad = null;
      g.close();
    }
    Cleaner.Cleanable c = r == null ? null : r.cleanable;
    if (c != null) {
      r.release.explicit = true;
      c.clean();
    } else {
      storage.release(context);
    }
    owner = null;
  }

  /** Whether {@link #close()} released this tensor (every other use then throws). PyTorch has no equivalent: it frees by reference count. */
  public boolean isClosed() {
    return closed;
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
    Rare r = rare();
    if (r.cleanable == null) {
      owner = null;
      r.release = new Release(storage);
      r.cleanable = CLEANER.register(this, r.release);
    }
  }

  boolean storageIs(Storage s) {
    return storage == s;
  }

  boolean ownedBy(TensorScope scope) {
    return owner == scope && !closed;
  }

  void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("this tensor was closed (by close() or by the TensorScope that owned it) "
          + "and cannot be used any more");
    }
  }

  ElementKernels kernels() {
    return kernelsFor(dtype);
  }

  static ElementKernels kernelsFor(DType dtype) {
    return switch (dtype) {
      case FLOAT32 -> Kernels.float32();
      case FLOAT64 -> Kernels.float64();
      case INT64 -> Kernels.int64();
      case BOOL -> Kernels.bool();
    };
  }

  /** Kernels of {@code dtype} that never split a call over threads: for callers that split the work themselves. */
  static ElementKernels serialKernelsFor(DType dtype) {
    var p = Kernels.provider();
    return switch (dtype) {
      case FLOAT32 -> p.float32();
      case FLOAT64 -> p.float64();
      case INT64 -> p.int64();
      case BOOL -> p.bool();
    };
  }
}
