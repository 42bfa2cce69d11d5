package dev.vectorgrad;

import dev.vectorgrad.kernels.BinaryOp;
import dev.vectorgrad.kernels.ElementKernels;
import dev.vectorgrad.kernels.Parallel;
import dev.vectorgrad.kernels.PointwiseKernels;
import dev.vectorgrad.kernels.UnaryOp;
import dev.vectorgrad.memory.Storage;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pending values (issue 10): an elementwise result may stay uncomputed, holding the expression that
 * defines it, until something reads it. A chain of such ops then runs as one blocked pass over its
 * inputs ({@link #force}), and a sum or mean of a pending tensor reduces the chain's values block by
 * block without writing them anywhere ({@link #sum}). PyTorch has no equivalent in eager mode; its
 * {@code torch.compile} fuses the same chains ahead of time.
 *
 * <p>The model, in short (docs/architecture.md has the picture):
 * <ul>
 *   <li>The op still runs its checks, allocates its output (so out-of-memory and shape errors come
 *       from the op, as in PyTorch) and records its autograd node; only the kernel is deferred. The
 *       output holds a {@link Pending}: an expression tree whose leaves are computed tensors (read
 *       in place, as one value, row by row, or gathered per block: see {@link Leaf}) and Python
 *       scalars. A pending operand of another op is inlined into that op's tree, so trees never
 *       have pending leaves.</li>
 *   <li>Every kernel access to a tensor's memory goes through {@code Tensor.seg()}, which computes
 *       a pending tensor first, and computes every pending tensor that reads the tensor's storage
 *       (recorded on the {@link Storage}) before the access: an in-place write to an input, through
 *       any view, or its {@code close()}, never changes what a pending tensor will hold.</li>
 *   <li>Evaluation walks the output in blocks of {@value #EVAL} elements, split over the kernel
 *       threads; each op of the tree runs the same vector kernel as in eager mode on the block
 *       (intermediates in per-thread scratch that stays in L1), so values are bit-identical to
 *       eager execution; a reduction gathers {@link ElementKernels#SUM_BLOCK} values at a time and
 *       folds them with the kernels' own {@link ElementKernels#sumFrom} rule, bit-identical to the
 *       eager sum; sums over leading dims add evaluated rows in the eager order ({@link #sumLeading}).</li>
 * </ul>
 *
 * <p>Settings: {@code -Dvectorgrad.fusion=false} turns fusion off (every op computes at once);
 * {@code -Dvectorgrad.fusion.minElements=N} (default {@value #DEFAULT_MIN_ELEMENTS}) is the smallest
 * output that stays pending: below it an op's kernel costs less than the bookkeeping.
 */
final class Fusion {
  private Fusion() {}

  static final String PROPERTY = "vectorgrad.fusion";
  static final String MIN_ELEMENTS_PROPERTY = "vectorgrad.fusion.minElements";
  static final long DEFAULT_MIN_ELEMENTS = 1L << 15;
  static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());
  static final long MIN_ELEMENTS = Math.max(1, Long.getLong(MIN_ELEMENTS_PROPERTY, DEFAULT_MIN_ELEMENTS));
  /** Ops in one tree; a longer chain computes its operand first (a bound on scratch and recomputation). */
  static final int MAX_OPS = 16;
  /** The blocks a reduction folds (the kernels' sum blocks: the same bits as the eager sum). */
  private static final long BLOCK = ElementKernels.SUM_BLOCK;
  /**
   * Elements per kernel call of the evaluation: a few scratch blocks of this many floats and the
   * operands' lines stay in a 32 KiB L1 (at 4096 they did not: the per-op passes ran from L2).
   */
  private static final long EVAL = 1024;
  private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[1]);

  // ------------------------------------------------------------------ the expression

  /** A node of a pending expression: an op, a computed tensor or a Python scalar. */
  abstract static sealed class Expr permits Computed, Leaf, Scalar {
    abstract int ops();

    /** Scratch blocks this subtree needs while it is evaluated (its result's block included). */
    int slots() {
      return 0;
    }
  }

  /**
   * A computed operand: a contiguous tensor of the output's shape, one value broadcast ({@code one}),
   * an operand read row by row ({@code inner > 0}): within each row of the output (its last dim)
   * either contiguous ({@code lastStride} 1: a bias row, a slice with contiguous rows) or one value
   * ({@code lastStride} 0: a column such as {@code x.mean(-1, keepdim)}), the row's start given by
   * the operand's broadcast strides over the output's other dims; or anything else ({@code gather}:
   * strided, or of another dtype), read per block into scratch.
   */
  static final class Leaf extends Expr {
    final Tensor t;
    final boolean one;
    /** The output's row length for an operand read row by row, else 0. */
    final long inner;
    /** For row-by-row operands: the output's dims but the last, and the operand's strides over them. */
    private final long[] outer;
    private final long[] outerStrides;
    final long lastStride;
    /** One row repeated over the rows (every other stride 0, last 1): the case compiled loops take. */
    final boolean row;
    /** An operand read per block into scratch, or null. */
    final FusionGather gather;

    private Leaf(Tensor t, boolean one, long inner, long[] outer, long[] outerStrides, long lastStride,
                 FusionGather gather) {
      this.t = t;
      this.one = one;
      this.inner = inner;
      this.outer = outer;
      this.outerStrides = outerStrides;
      this.lastStride = lastStride;
      this.row = inner > 0 && lastStride == 1 && allZero(outerStrides);
      this.gather = gather;
    }

    static Leaf full(Tensor t) {
      return new Leaf(t, false, 0, null, null, 0, null);
    }

    static Leaf one(Tensor t) {
      return new Leaf(t, true, 0, null, null, 0, null);
    }

    static Leaf gathered(Tensor t, long[] shape, DType dtype) {
      return new Leaf(t, false, 0, null, null, 0, FusionGather.of(t, shape, dtype));
    }

    /** The element offset in {@code t} of output element {@code pos} (a row-by-row operand). */
    long at(long pos) {
      long r = pos / inner, off = t.offset + (pos % inner) * lastStride;
      for (int d = outer.length - 1; d >= 0 && r > 0; d--) {
        off += (r % outer[d]) * outerStrides[d];
        r /= outer[d];
      }
      return off;
    }

    @Override
    int ops() {
      return 0;
    }

    @Override
    int slots() {
      return gather != null ? 1 : 0;   // its block is read into a scratch slot
    }
  }

  /** A Python scalar operand ({@code x + 2}). */
  static final class Scalar extends Expr {
    final double value;

    Scalar(double value) {
      this.value = value;
    }

    @Override
    int ops() {
      return 0;
    }
  }

  /**
   * One thread's state while it evaluates a range of a tree: the serial kernels of the tree's dtype,
   * its scratch blocks, and the tile buffers of its transposed operands.
   */
  static final class Ctx {
    final DType dtype;
    final ElementKernels k;
    final MemorySegment scratch;
    private final List<FusionGather.Tiles> tiles = new ArrayList<>(1);
    /** A compiled loop's operand positions and segments for this range ({@link Compiled#prepare}). */
    long[] offs;
    MemorySegment[] segs;

    Ctx(DType dtype, MemorySegment scratch) {
      this.dtype = dtype;
      this.k = Tensor.serialKernelsFor(dtype);
      this.scratch = scratch;
    }

    ElementKernels kernels(DType dtype) {
      return Tensor.serialKernelsFor(dtype);
    }

    /** This thread's tile buffer for {@code g}: the rows it holds stay valid across the range's blocks. */
    FusionGather.Tiles tiles(FusionGather g) {
      for (FusionGather.Tiles t : tiles) {
        if (t.owner == g) return t;
      }
      FusionGather.Tiles t = FusionGather.Tiles.take(g, tiles.size());
      tiles.add(t);
      return t;
    }
  }

  /** An operand's block while an op is evaluated: a run of memory, or one value ({@code seg} null). */
  private static final class Arg {
    MemorySegment seg;
    long off;
    double value;

    /** The block of {@code e} at elements {@code [i, i + len)}, read or computed into {@code slot} if need be; the next free slot. */
    int load(Expr e, Ctx c, int slot, long i, long len) {
      if (e instanceof Computed x) {
        seg = c.scratch;
        off = slot * EVAL;
        x.eval(c, slot, i, len, seg, off);
        return slot + 1;
      }
      if (e instanceof Scalar sc) {
        seg = null;
        value = sc.value;
        return slot;
      }
      Leaf l = (Leaf) e;
      if (l.gather != null) {
        seg = c.scratch;
        off = slot * EVAL;
        l.gather.read(c, i, len, seg, off);
        return slot + 1;
      }
      if (l.one) {
        seg = null;
        value = c.k.get(l.t.rawSeg(), l.t.offset);
      } else {
        seg = l.t.rawSeg();
        off = l.t.offset + i;   // a row-by-row operand: replaced per row piece
      }
      return slot;
    }

    /** This operand's piece at block position {@code p} (output element {@code pos}): {@code block}'s, or a row's. */
    void piece(Arg block, Leaf rowLeaf, long p, long pos, ElementKernels k) {
      if (rowLeaf == null) {
        seg = block.seg;
        off = block.off + p;
        value = block.value;
      } else if (rowLeaf.lastStride == 1) {
        seg = block.seg;
        off = rowLeaf.at(pos);
      } else {
        seg = null;
        value = k.get(block.seg, rowLeaf.at(pos));
      }
    }
  }

  /** An op node: computes a block of its values from its operands' blocks. */
  abstract static sealed class Computed extends Expr permits Op, Map, Pair, Where {
    private final int ops;
    private final int slots;
    /** The tree's shape for the compiled-loop cache, built here once rather than at every evaluation. */
    final FusionCompiler.Shape shape;

    Computed(int ops, int slots, FusionCompiler.Shape shape) {
      this.ops = ops;
      this.slots = slots;
      this.shape = shape;
    }

    @Override
    final int ops() {
      return ops;
    }

    @Override
    final int slots() {
      return slots;
    }

    /**
     * Computes elements {@code [i, i + len)} of this subtree into {@code dst} at {@code dstOff}, with
     * scratch blocks from {@code slot} on for its operands: the same kernel call per block as the
     * eager op makes over the whole tensor (Elementwise's contiguous paths), so the same values.
     */
    abstract void eval(Ctx c, int slot, long i, long len, MemorySegment dst, long dstOff);

    /** The slots of an op of two operands: a's block stays in its slot while b is computed in the next ones. */
    static int slots(Expr a, Expr b) {
      return Math.max(Math.max(a.slots(), b.slots() + (a.slots() > 0 ? 1 : 0)), 1);
    }
  }

  /** A binary op: add, sub, mul, div of two operands or of an operand and a scalar. */
  static final class Op extends Computed {
    final BinaryOp op;
    final Expr a;
    final Expr b;

    Op(BinaryOp op, Expr a, Expr b) {
      super(1 + a.ops() + b.ops(), slots(a, b),
          FusionCompiler.Shape.binary(op.ordinal(), FusionCompiler.Shape.of(a), FusionCompiler.Shape.of(b)));
      this.op = op;
      this.a = a;
      this.b = b;
    }

    @Override
    void eval(Ctx c, int slot, long i, long len, MemorySegment dst, long dstOff) {
      Arg x = new Arg(), y = new Arg();
      y.load(b, c, x.load(a, c, slot, i, len), i, len);
      Leaf rowA = rowLeaf(a), rowB = rowLeaf(b);
      if (rowA == null && rowB == null) {
        apply(c.k, x, y, dst, dstOff, len);
        return;
      }
      // an operand read row by row: the block in pieces within one output row each
      long inner = rowA != null ? rowA.inner : rowB.inner;
      Arg px = new Arg(), py = new Arg();
      for (long p = 0; p < len; ) {
        long pos = i + p, m = Math.min(len - p, inner - pos % inner);
        px.piece(x, rowA, p, pos, c.k);
        py.piece(y, rowB, p, pos, c.k);
        apply(c.k, px, py, dst, dstOff + p, m);
        p += m;
      }
    }

    private static Leaf rowLeaf(Expr e) {
      return e instanceof Leaf l && l.inner > 0 ? l : null;
    }

    /** The eager kernel for this op's operand kinds (Elementwise.binary's contiguous paths). */
    private void apply(ElementKernels k, Arg x, Arg y, MemorySegment dst, long dstOff, long len) {
      if (x.seg != null && y.seg != null) {
        k.binary(op, x.seg, x.off, y.seg, y.off, dst, dstOff, len);
      } else if (x.seg != null) {
        k.binaryScalar(op, x.seg, x.off, y.value, dst, dstOff, len);
      } else {
        k.scalarBinary(op, x.value, y.seg, y.off, dst, dstOff, len);
      }
    }
  }

  /** A unary op (relu, exp, sigmoid, ...: the kernels of UnaryOps), on an operand of the output's shape. */
  static final class Map extends Computed {
    final UnaryOp op;
    final double p1;
    final double p2;
    final Expr a;

    Map(UnaryOp op, double p1, double p2, Expr a) {
      super(1 + a.ops(), Math.max(a.slots(), 1), FusionCompiler.Shape.unary(op, p1, p2, FusionCompiler.Shape.of(a)));
      this.op = op;
      this.p1 = p1;
      this.p2 = p2;
      this.a = a;
    }

    @Override
    void eval(Ctx c, int slot, long i, long len, MemorySegment dst, long dstOff) {
      Arg x = new Arg();
      x.load(a, c, slot, i, len);   // full, computed or gathered: the classifier gives a unary op no other operand
      c.k.unary(op, p1, p2, x.seg, x.off, dst, dstOff, len);
    }
  }

  /**
   * A pointwise kernel of two operands of the output's shape: maximum and minimum, exact selections,
   * so each element has the eager kernel's bits whatever the blocks (the kernels' vector loops and
   * scalar tails select alike).
   */
  static final class Pair extends Computed {
    final PointwiseKernels.Binary op;
    final Expr a;
    final Expr b;

    Pair(PointwiseKernels.Binary op, Expr a, Expr b) {
      super(1 + a.ops() + b.ops(), slots(a, b), FusionCompiler.Shape.NONE);   // the block interpreter runs it
      this.op = op;
      this.a = a;
      this.b = b;
    }

    @Override
    void eval(Ctx c, int slot, long i, long len, MemorySegment dst, long dstOff) {
      Arg x = new Arg(), y = new Arg();
      y.load(b, c, x.load(a, c, slot, i, len), i, len);   // both runs of memory: the classifier gives no values
      Pointwise.kernels(c.dtype).binary(op, x.seg, x.off, y.seg, y.off, dst, dstOff, len);
    }
  }

  /**
   * {@code where(cond, a, b)}: a selection by the kernels' {@code select} (the chosen bits copied), as
   * the eager where computes it, so the bits are the eager ones whatever the blocks. The bool
   * condition is gathered as 0/1 values of the output's dtype.
   */
  static final class Where extends Computed {
    final Expr cond;
    final Expr a;
    final Expr b;

    Where(Expr cond, Expr a, Expr b) {
      super(1 + cond.ops() + a.ops() + b.ops(),
          Math.max(slots(a, b), (a.slots() > 0 ? 1 : 0) + (b.slots() > 0 ? 1 : 0) + cond.slots()),
          FusionCompiler.Shape.NONE);   // the block interpreter runs it
      this.cond = cond;
      this.a = a;
      this.b = b;
    }

    @Override
    void eval(Ctx c, int slot, long i, long len, MemorySegment dst, long dstOff) {
      Arg x = new Arg(), y = new Arg(), z = new Arg();
      z.load(cond, c, y.load(b, c, x.load(a, c, slot, i, len), i, len), i, len);
      c.k.select(z.seg, z.off, x.seg, x.off, y.seg, y.off, dst, dstOff, len);
    }
  }

  /** A pending tensor's definition: its expression and the distinct tensors it reads. */
  static final class Pending {
    private final Computed root;
    private final Tensor[] leaves;

    private Pending(Computed root, Tensor[] leaves) {
      this.root = root;
      this.leaves = leaves;
    }
  }


  // ------------------------------------------------------------------ building

  /**
   * Makes {@code out} (fresh, contiguous, of the broadcast shape and floating dtype) the pending
   * {@code a op b} if fusion takes it: fusion is on, the output is large enough, and each operand
   * has an expression ({@link #operand}), not both one value per row. Returns false (nothing done: the op
   * computes) otherwise.
   */
  static boolean deferBinary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
    if (!takes(out)) return false;
    // a column over rows too short to read row by row would be gathered a row piece at a time, at
    // 1.6x the time of the eager column kernel (Elementwise.binaryColumn): the op runs eagerly
    if (shortColumn(a, out) || shortColumn(b, out)) return false;
    Expr ea = operand(a, out, true), eb = ea == null ? null : operand(b, out, true);
    if (eb == null || values(ea) && values(eb)) return false;   // no run to stream: the eager row loop
    install(out, new Op(op, ea, eb));
    return true;
  }

  /** Makes {@code out} the pending {@code a op s} for a Python scalar {@code s}, as {@link #deferBinary}. */
  static boolean deferScalar(BinaryOp op, Tensor a, double s, Tensor out) {
    if (!takes(out)) return false;
    Expr ea = operand(a, out, false);
    if (ea == null) return false;
    install(out, new Op(op, ea, new Scalar(s)));
    return true;
  }

  /** Makes {@code out} (fresh, contiguous, of {@code a}'s shape) the pending unary {@code op(a)}, as {@link #deferBinary}. */
  static boolean deferUnary(UnaryOp op, double p1, double p2, Tensor a, Tensor out) {
    if (!takes(out)) return false;
    Expr ea = operand(a, out, false);
    if (ea == null) return false;
    install(out, new Map(op, p1, p2, ea));
    return true;
  }

  /** Makes {@code out} the pending pointwise {@code op(a, b)} (maximum, minimum), as {@link #deferBinary}. */
  static boolean deferPointwise(PointwiseKernels.Binary op, Tensor a, Tensor b, Tensor out) {
    if (!takes(out) || op != PointwiseKernels.Binary.MAXIMUM && op != PointwiseKernels.Binary.MINIMUM) return false;
    Expr ea = operand(a, out, false), eb = ea == null ? null : operand(b, out, false);
    if (eb == null) return false;
    install(out, new Pair(op, ea, eb));
    return true;
  }

  /** Makes {@code out} the pending {@code where(cond, a, b)}, as {@link #deferBinary}. */
  static boolean deferWhere(Tensor cond, Tensor a, Tensor b, Tensor out) {
    if (!takes(out)) return false;
    Expr ea = operand(a, out, false), eb = ea == null ? null : operand(b, out, false);
    Expr ec = eb == null ? null : operand(cond, out, false);
    if (ec == null) return false;
    install(out, new Where(ec, ea, eb));
    return true;
  }

  private static boolean shortColumn(Tensor t, Tensor out) {
    return out.shape.length >= 2 && out.shape[out.shape.length - 1] < 16 && Elementwise.isColumn(t, out.shape);
  }

  private static boolean takes(Tensor out) {
    return ENABLED && out.numel >= MIN_ELEMENTS && out.dtype.isFloatingPoint();
  }

  /** Whether an operand gives an op one value per row piece: one value broadcast, or a column. */
  private static boolean values(Expr e) {
    return e instanceof Leaf l && (l.one || l.inner > 0 && l.lastStride == 0);
  }

  /**
   * The expression of operand {@code t} of an op whose output is {@code out}, classified once: a
   * pending operand of the output's shape and dtype inlines its tree (a chain too long computes
   * this link and reads it); one of another shape or dtype is computed and read as a computed one.
   * A computed operand of the output's shape and dtype that is contiguous is read in place; one
   * value broadcast is a value ({@code broadcasts}: binary ops); rows read row by row
   * ({@code broadcasts}: binary ops); anything else is gathered per block. Null for memory written
   * outside the ops (wrapped foreign memory, an exported {@code segment()}): a pending reader would
   * see those writes, which PyTorch's eager results never do.
   */
  private static Expr operand(Tensor t, Tensor out, boolean broadcasts) {
    if (t.storage.isForeign() || t.storage.isExported()) return null;
    boolean sameShape = Arrays.equals(t.shape, out.shape), sameType = t.dtype == out.dtype;
    Pending p = t.pending;
    if (p != null) {
      if (sameShape && sameType && p.root.ops() < MAX_OPS) return p.root;
      force(t);   // too long a chain, or broadcast or converted: computed now, then read as any computed operand
    }
    if (!sameType) return Leaf.gathered(t, out.shape, out.dtype);
    if (sameShape && t.contiguous) return Leaf.full(t);
    if (broadcasts && (t.numel == 1 || allZero(t.strides))) return Leaf.one(t);
    Leaf rows = broadcasts ? rowWise(t, out.shape) : null;
    return rows != null ? rows : Leaf.gathered(t, out.shape, out.dtype);
  }

  /**
   * {@code t} as an operand read row by row of an output of {@code shape} (see {@link Leaf}), or null:
   * within a row it must be contiguous or one value, and rows must be long enough (16 elements, or 2
   * for one row repeated) that a kernel call per row piece costs less than gathering it.
   */
  private static Leaf rowWise(Tensor t, long[] shape) {
    int nd = shape.length, td = t.shape.length;
    if (nd < 2 || td > nd) return null;
    long[] strides = new long[nd];   // t's strides broadcast to the output's dims
    for (int d = 0; d < nd; d++) {
      int e = d - (nd - td);
      strides[d] = e < 0 || t.shape[e] == 1 && shape[d] != 1 ? 0 : t.strides[e];
    }
    long inner = shape[nd - 1], last = strides[nd - 1];
    if (last != 0 && last != 1) return null;
    long[] outerStrides = Arrays.copyOf(strides, nd - 1);
    boolean repeatedRow = last == 1 && allZero(outerStrides);
    if (inner < (repeatedRow ? 2 : 16)) return null;
    return new Leaf(t, false, inner, Arrays.copyOf(shape, nd - 1), outerStrides, last, null);
  }

  private static boolean allZero(long[] strides) {
    for (long s : strides) {
      if (s != 0) return false;
    }
    return true;
  }

  private static void install(Tensor out, Computed root) {
    List<Tensor> leaves = new ArrayList<>(4);
    collect(root, leaves);
    Pending p = new Pending(root, leaves.toArray(new Tensor[0]));
    out.pending = p;   // before it is listed: whoever finds it among a storage's readers can compute it
    for (Tensor leaf : p.leaves) addReader(leaf.storage, out);
    // A leaf closed by another thread since the op checked it: its close() may have computed the
    // readers it saw before this one was listed, and its memory may be gone.
    for (Tensor leaf : p.leaves) {
      if (leaf.isClosed()) {
        drop(out);
        leaf.ensureOpen();   // throws the use-after-close error
      }
    }
  }

  /** The distinct tensors of {@code e}'s leaves. */
  private static void collect(Expr e, List<Tensor> leaves) {
    if (e instanceof Op op) {
      collect(op.a, leaves);
      collect(op.b, leaves);
    } else if (e instanceof Map map) {
      collect(map.a, leaves);
    } else if (e instanceof Pair pair) {
      collect(pair.a, leaves);
      collect(pair.b, leaves);
    } else if (e instanceof Where where) {
      collect(where.cond, leaves);
      collect(where.a, leaves);
      collect(where.b, leaves);
    } else if (e instanceof Leaf l) {
      for (Tensor t : leaves) {
        if (t == l.t) return;
      }
      leaves.add(l.t);
    }
  }

  // ------------------------------------------------------------------ readers of a storage

  /*
   * A storage's readers are held weakly: a pending result dropped without close() (outside every
   * scope) must stay collectable, so that its Cleaner returns its memory, as an eager result's
   * would, while its inputs live on.
   */

  @SuppressWarnings("unchecked")
  private static void addReader(Storage s, Tensor reader) {
    synchronized (s) {
      List<WeakReference<Tensor>> readers = (List<WeakReference<Tensor>>) s.pendingReaders();
      if (readers == null) s.setPendingReaders(readers = new ArrayList<>(2));
      readers.add(new WeakReference<>(reader));
    }
  }

  /** Removes {@code reader} (and readers already collected) from {@code s}'s list. */
  @SuppressWarnings("unchecked")
  private static void removeReader(Storage s, Tensor reader) {
    synchronized (s) {
      List<WeakReference<Tensor>> readers = (List<WeakReference<Tensor>>) s.pendingReaders();
      if (readers == null) return;
      for (int i = readers.size() - 1; i >= 0; i--) {
        Tensor r = readers.get(i).get();
        if (r == reader || r == null) readers.remove(i);
      }
      if (readers.isEmpty()) s.setPendingReaders(null);
    }
  }

  /** Computes every pending tensor that reads {@code s}: before a write to it or its release. */
  @SuppressWarnings("unchecked")
  static void forceReaders(Storage s) {
    while (true) {
      Tensor reader;
      synchronized (s) {
        List<WeakReference<Tensor>> readers = (List<WeakReference<Tensor>>) s.pendingReaders();
        if (readers == null || readers.isEmpty()) return;
        reader = readers.get(readers.size() - 1).get();
        if (reader == null) {   // collected: nothing will read it
          readers.remove(readers.size() - 1);
          if (readers.isEmpty()) s.setPendingReaders(null);
          continue;
        }
      }
      force(reader);
      removeReader(s, reader);   // already gone unless another thread dropped or computed it meanwhile
    }
  }

  // ------------------------------------------------------------------ consuming

  /** What {@code Tensor.seg()} does before any kernel access: computes {@code t} and the pending readers of its storage. */
  static void settle(Tensor t) {
    if (t.pending != null) force(t);
    if (t.storage.pendingReaders() != null) forceReaders(t.storage);
  }

  /**
   * Computes a pending tensor into its own memory (once, whichever thread asks first; the others
   * wait) and forgets its expression.
   */
  static void force(Tensor t) {
    Pending p = t.pending;
    if (p == null) return;
    synchronized (p) {
      if (t.pending != p) return;
      evaluate(p, t);
      t.pending = null;   // volatile write: publishes the values to threads that see no pending
      for (Tensor leaf : p.leaves) removeReader(leaf.storage, t);
    }
  }

  /**
   * A pending tensor's values computed into a new contiguous tensor, the pending one left as it is
   * (as a sum leaves it): for a reduction that reads a small pending tensor's values more than once.
   */
  static Tensor computedCopy(Tensor t) {
    Pending p = t.pending;
    Tensor out = Tensor.empty(t.dtype, t.shape);
    if (p != null) {
      synchronized (p) {
        if (t.pending == p) {
          evaluate(p, out);
          return out;
        }
      }
    }
    Elementwise.copy(t, out);   // computed meanwhile by another thread
    return out;
  }

  /** Forgets a pending tensor's expression without computing it: {@code close()} of an unread result. */
  static void drop(Tensor t) {
    Pending p = t.pending;
    if (p == null) return;
    synchronized (p) {
      if (t.pending != p) return;
      t.pending = null;
      for (Tensor leaf : p.leaves) removeReader(leaf.storage, t);
    }
  }

  private static void evaluate(Pending p, Tensor out) {
    long n = out.numel;
    DType dtype = out.dtype;
    MemorySegment dst = out.rawSeg();
    long base = out.offset;
    Compiled compiled = Compiled.of(p.root, dtype);
    long scratch = compiled != null ? compiled.scratchEnd : p.root.slots() * EVAL;
    Parallel.forRange(n, (from, to) -> {
      Ctx c = new Ctx(dtype, scratch(scratch));
      long i = from;
      if (compiled != null) i += compiled.run(c, from, to - from, dst, base + from);
      for (; i < to; i += EVAL) {
        p.root.eval(c, 0, i, Math.min(EVAL, to - i), dst, base + i);
      }
    });
  }

  /**
   * A tree compiled into one vector loop ({@link FusionCompiler}) with its operands: it computes
   * the whole vectors of a range, the block interpreter the few elements after them. Gathered
   * operands ({@link FusionGather}) are read per block of {@value #EVAL} into scratch after the
   * interpreter's blocks, and the loop streams them from there.
   */
  private static final class Compiled {
    final FusionCompiler.Kernel kernel;
    final int lanes;
    private final MemorySegment[] segs;
    private final long[] offsets;
    private final long[] inners;
    /** Per stream: its gathered operand, or null. */
    private final Leaf[] gathers;
    private final double[] values;
    /** Where the gathered operands' blocks start in scratch, and where the compiled path's scratch ends. */
    final long gatherBase;
    final long scratchEnd;

    private Compiled(FusionCompiler.Kernel kernel, int lanes, MemorySegment[] segs, long[] offsets, long[] inners,
                     Leaf[] gathers, double[] values, long gatherBase, int gathered) {
      this.kernel = kernel;
      this.lanes = lanes;
      this.segs = segs;
      this.offsets = offsets;
      this.inners = inners;
      this.gathers = gathers;
      this.values = values;
      this.gatherBase = gatherBase;
      this.scratchEnd = gatherBase + gathered * EVAL;
    }

    static Compiled of(Computed root, DType dtype) {
      FusionCompiler.Kernel kernel = FusionCompiler.compile(root, dtype);
      if (kernel == null) return null;
      Leaf[] streams = root.shape.streams;
      Object[] broadcasts = root.shape.broadcasts;
      MemorySegment[] segs = new MemorySegment[streams.length];
      long[] offsets = new long[segs.length], inners = new long[segs.length];
      Leaf[] gathers = new Leaf[segs.length];
      int gathered = 0;
      for (int j = 0; j < segs.length; j++) {
        Leaf leaf = streams[j];
        inners[j] = leaf.inner;
        if (leaf.gather != null) {   // read per block into scratch
          gathers[j] = leaf;
          gathered++;
        } else if (leaf.inner > 0) {   // the loop reads a row from its column: a segment that starts at the row
          segs[j] = leaf.t.rawSeg().asSlice(leaf.t.offset * dtype.byteSize());
        } else {
          segs[j] = leaf.t.rawSeg();
          offsets[j] = leaf.t.offset;
        }
      }
      ElementKernels k = Tensor.serialKernelsFor(dtype);
      double[] values = new double[broadcasts.length];
      for (int j = 0; j < values.length; j++) {
        Object b = broadcasts[j];
        values[j] = b instanceof Scalar sc ? sc.value
            : b instanceof Double parameter ? parameter
            : k.get(((Leaf) b).t.rawSeg(), ((Leaf) b).t.offset);
      }
      return new Compiled(kernel, FusionCompiler.lanes(dtype), segs, offsets, inners, gathers, values,
          root.slots() * EVAL, gathered);
    }

    /** Fills {@code offs} with the streamed operands' positions of element {@code i}: an element offset, or a row's column. */
    private long[] offsetsAt(long i, long[] offs) {
      for (int j = 0; j < offs.length; j++) offs[j] = inners[j] > 0 ? i % inners[j] : offsets[j] + i;
      return offs;
    }

    /** {@code c}'s per-range copies of the operand arrays (the gathered streams' entries change per block). */
    private void prepare(Ctx c) {
      if (c.offs == null) {
        c.offs = new long[offsets.length];
        c.segs = segs.clone();
      }
    }

    /**
     * The kernels' {@code blockSum} of elements {@code [i, i + len)} ({@code len <= SUM_BLOCK}) with
     * the vectors summed in registers by the compiled loop and the tail elements computed by the
     * block interpreter into scratch at {@code at}, then added in double as blockSum adds them.
     * Trees without gathered operands only ({@link FusionCompiler#sumsInRegisters}).
     */
    double blockSum(Computed root, Ctx c, long at, long i, long len) {
      prepare(c);
      long whole = len - len % lanes;
      double s = kernel.sumBlock(segs, offsetsAt(i, c.offs), values, whole);
      if (whole < len) {
        root.eval(c, 0, i + whole, len - whole, c.scratch, at);
        for (long j = 0; j < len - whole; j++) s += c.k.get(c.scratch, at + j);
      }
      return s;
    }

    /** Computes the whole vectors of elements {@code [i, i + len)} into {@code dst}; returns how many. */
    long run(Ctx c, long i, long len, MemorySegment dst, long dstOff) {
      prepare(c);
      long whole = len - len % lanes;
      if (whole == 0) return 0;
      if (scratchEnd == gatherBase) {
        kernel.run(segs, offsetsAt(i, c.offs), values, dst, dstOff, whole);
        return whole;
      }
      for (long q = 0; q < whole; q += EVAL) {   // EVAL is a multiple of the lanes
        long m = Math.min(EVAL, whole - q), at = gatherBase;
        long[] offs = offsetsAt(i + q, c.offs);
        for (int j = 0; j < gathers.length; j++) {
          if (gathers[j] == null) continue;
          gathers[j].gather.read(c, i + q, m, c.scratch, at);
          c.segs[j] = c.scratch;
          offs[j] = at;
          at += EVAL;
        }
        kernel.run(c.segs, offs, values, dst, dstOff + q, m);
      }
      return whole;
    }
  }

  /**
   * The sum of a pending tensor's values, computed block by block and never stored: the same bits
   * as {@code sum} of the computed tensor (the same split over threads, the same fold per block).
   */
  static double sum(Tensor t) {
    Pending p = t.pending;
    if (p == null) return Elementwise.sum(t);
    return new Reducer(p, t.dtype).sum(0, t.numel);
  }

  /**
   * The sums of {@code outer} consecutive runs of {@code reduced} elements of a pending tensor's
   * values (a sum over the last dims), each with the bits of the eager kernel's sum of that run.
   */
  static double[] sumRows(Pending p, DType dtype, long outer, long reduced) {
    Reducer r = new Reducer(p, dtype);
    double[] sums = new double[Math.toIntExact(outer)];
    for (int o = 0; o < sums.length; o++) sums[o] = r.sum(o * reduced, reduced);
    return sums;
  }

  /** Columns a task of {@link #sumLeading} sums at a time, and elements it evaluates per batch of rows. */
  private static final long COLUMNS = 4096, BATCH = 8192;

  /**
   * A sum over leading dims (outer, reduced, inner with {@code inner > 1}: {@code x.sum(0)} of an
   * (n, m) chain) of a pending tensor's values into {@code d} (contiguous, outer x inner), never
   * storing them: the bits of {@code Reductions.sumBlocks} over the computed tensor. Per column, rows
   * are added in the element type in order, in runs of {@code rowsPerBlock} rows (a run's first row
   * copied, the others added), each run's sum added into a double when there is more than one run,
   * rounded once at the end. Columns are independent, so they are split over the kernel threads.
   */
  static void sumLeading(Pending p, DType dtype, long outer, long reduced, long inner, long rowsPerBlock,
                         MemorySegment d) {
    Compiled compiled = Compiled.of(p.root, dtype);
    long rows = compiled != null ? compiled.scratchEnd : p.root.slots() * EVAL, acc = rows + BATCH;
    Parallel.forRange(inner, (from, to) -> {
      Ctx c = new Ctx(dtype, scratch(acc + COLUMNS));
      for (long c0 = from; c0 < to; c0 += COLUMNS) {
        long w = Math.min(COLUMNS, to - c0);
        double[] total = reduced > rowsPerBlock ? new double[(int) w] : null;
        for (long o = 0; o < outer; o++) {
          if (total != null) Arrays.fill(total, 0);
          // whole rows evaluate several at a time (one range of elements); a column range row by row
          long batch = w == inner ? Math.max(1, BATCH / inner) : 1;
          for (long r = 0; r < reduced; r += batch) {
            long count = Math.min(batch, reduced - r), first = (o * reduced + r) * inner + c0;
            evalInto(p, compiled, c, first, w == inner ? count * inner : w, rows);
            for (long q = 0; q < count; q++) {
              long row = r + q, at = rows + q * inner;
              if (row % rowsPerBlock == 0) c.k.copy(c.scratch, at, c.scratch, acc, w);
              else c.k.binary(BinaryOp.ADD, c.scratch, acc, c.scratch, at, c.scratch, acc, w);
              if (total != null && (row % rowsPerBlock == rowsPerBlock - 1 || row == reduced - 1)) {
                for (int j = 0; j < w; j++) total[j] += c.k.get(c.scratch, acc + j);
              }
            }
          }
          long out = o * inner + c0;
          if (total == null) c.k.copy(c.scratch, acc, d, out, w);
          else for (int j = 0; j < w; j++) c.k.set(d, out + j, total[j]);
        }
      }
    });
  }

  /** Sums runs of a pending tensor's values as {@code ParallelKernels.sum} sums runs of stored ones. */
  private static final class Reducer {
    private final Pending p;
    private final DType dtype;
    private final Compiled compiled;
    private final boolean inRegisters;

    Reducer(Pending p, DType dtype) {
      this.p = p;
      this.dtype = dtype;
      this.compiled = Compiled.of(p.root, dtype);
      this.inRegisters = compiled != null && FusionCompiler.sumsInRegisters(p.root);
    }

    /** Elements {@code [base, base + n)}: chunks over the kernel threads, each summed as the serial kernel sums a range. */
    double sum(long base, long n) {
      return Parallel.sum(n, (from, to) -> chunk(base + from, base + to));
    }

    private double chunk(long from, long to) {
      // a sum block of the root's values, after the interpreter's and the gathered operands' blocks
      long result = compiled != null ? compiled.scratchEnd : p.root.slots() * EVAL;
      Ctx c = new Ctx(dtype, scratch(result + BLOCK));
      if (to - from <= BLOCK) {
        evalInto(p, compiled, c, from, to - from, result);
        return c.k.sum(c.scratch, result, to - from);
      }
      double total = 0;
      for (long i = from; i < to; i += BLOCK) {
        long len = Math.min(BLOCK, to - i);
        if (inRegisters) {
          total = total + compiled.blockSum(p.root, c, result, i, len);   // sumFrom's step
        } else {
          evalInto(p, compiled, c, i, len, result);
          total = c.k.sumFrom(total, c.scratch, result, len);
        }
      }
      return total;
    }
  }

  /** The compiled loop of a pending tensor's tree, or null (tests: which trees share a class). */
  static FusionCompiler.Kernel compiledKernelForTests(Tensor t) {
    Pending p = t.pending;
    Compiled c = p == null ? null : Compiled.of(p.root, t.dtype);
    return c == null ? null : c.kernel;
  }

  /** Elements {@code [i, i + len)} of the tree into the scratch at {@code at}, {@link #EVAL} at a time. */
  private static void evalInto(Pending p, Compiled compiled, Ctx c, long i, long len, long at) {
    long j = compiled == null ? 0 : compiled.run(c, i, len, c.scratch, at);
    for (; j < len; j += EVAL) {
      p.root.eval(c, 0, i + j, Math.min(EVAL, len - j), c.scratch, at + j);
    }
  }

  /** This thread's scratch: room for {@code elements} of the widest element type, grown on demand. */
  private static MemorySegment scratch(long elements) {
    MemorySegment[] holder = SCRATCH.get();
    long bytes = elements * 8;
    MemorySegment s = holder[0];
    if (s == null || s.byteSize() < bytes) holder[0] = s = Arena.ofAuto().allocate(bytes, 64);
    return s;
  }
}
