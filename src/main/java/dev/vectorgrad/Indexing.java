package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.autograd.SavedTensor;
import dev.vectorgrad.kernels.ElementKernels;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Ops that pick or place elements by index or mask: index_select, gather, scatter_add,
 * masked_fill, where, masked_select, nonzero, one_hot; each with its derivative and PyTorch name.
 * Every index is checked against its dimension before any element moves, so a bad index throws
 * PyTorch's message instead of reading outside the storage.
 */
final class Indexing {
  private Indexing() {}

  // ------------------------------------------------------------------ walking indices

  /** Visits every multi-index of {@code shape} in row-major order (the array is reused). */
  private static void forEachIndex(long[] shape, java.util.function.Consumer<long[]> visit) {
    if (Shapes.numel(shape) == 0) return;
    long[] idx = new long[shape.length];
    while (true) {
      visit.accept(idx);
      int d = shape.length - 1;
      while (d >= 0 && ++idx[d] == shape[d]) idx[d--] = 0;
      if (d < 0) return;
    }
  }

  /** Storage index of element {@code idx} of {@code t}, with {@code idx[dim]} replaced by {@code at}. */
  private static long offsetOf(Tensor t, long[] idx, int dim, long at) {
    long off = t.offset;
    for (int i = 0; i < idx.length; i++) off += (i == dim ? at : idx[i]) * t.strides[i];
    return off;
  }

  private static long offsetOf(Tensor t, long[] idx) {
    return offsetOf(t, idx, -1, 0);
  }

  private static void checkIndexType(Tensor index, String op) {
    if (index.dtype != DType.INT64) {
      throw new IllegalArgumentException(op + "(): Expected dtype int64 for index");
    }
  }

  private static IndexOutOfBoundsException outOfBounds(long index, int dim, long size) {
    return new IndexOutOfBoundsException("index " + index + " is out of bounds for dimension " + dim + " with size " + size);
  }

  // ------------------------------------------------------------------ index_select

  static Tensor indexSelect(Tensor t, int dim, Tensor index) {
    t.ensureOpen();
    index.ensureOpen();
    if (index.dtype != DType.INT64) {
      throw new IllegalArgumentException("index_select(): Expected dtype int32 or int64 for index");
    }
    if (index.shape.length > 1) throw new IllegalArgumentException("index_select(): Index is supposed to be a vector");
    int nd = t.shape.length;
    int d = Shapes.normalizeDim(dim, nd);
    long[] picks = index.toLongArray();
    long size = nd == 0 ? 1 : t.shape[d];
    if (nd > 1 && size == 0 && picks.length > 0) {
      throw new IndexOutOfBoundsException("index_select(): self indexing axis dim should be positive");
    }
    for (long p : picks) {
      if (p < 0 || p >= size) {
        // PyTorch 1.13 selects along dim 1 of a tensor of two or more dims with a kernel of its own (caffe2's),
        // and checks the indices of an empty one of two or more dims with that kernel's message along any dim
        boolean caffe2 = nd > 1 && (d == 1 || t.numel == 0);
        throw new IndexOutOfBoundsException(caffe2 ? "INDICES element is out of DATA bounds, id=" + p + " axis_dim="
            + size : "index out of range in self");
      }
    }
    long[] shape = t.shape.clone();
    if (nd > 0) shape[d] = picks.length;
    Tensor out = Tensor.empty(t.dtype, nd == 0 ? Shapes.SCALAR : shape);
    ElementKernels k = t.kernels();
    if (nd == 0) {
      k.copy(t.seg(), t.offset, out.seg(), out.offset, 1);
    } else if (d == 0 && t.contiguous) {   // whole rows of memory (a data loader's batch): one bulk copy each
      long row = t.numel / Math.max(1, size), bytes = row * t.dtype.byteSize();
      for (int i = 0; i < picks.length; i++) {
        MemorySegment.copy(t.seg(), (t.offset + picks[i] * row) * t.dtype.byteSize(), out.seg(), i * bytes, bytes);
      }
    } else {
      long[] regionShape = t.shape.clone();
      regionShape[d] = 1;
      for (int i = 0; i < picks.length; i++) {
        long p = picks[i];
        try (Tensor from = t.alias(null, regionShape, t.strides, t.offset + p * t.strides[d]);
             Tensor to = out.alias(null, regionShape, out.strides, out.offset + i * out.strides[d])) {
          Elementwise.copy(from, to);
        }
      }
    }
    if (t.recordsGrad()) out.setHistory(new IndexSelectBackward(t, d, index));
    return out;
  }

  /** IndexSelectBackward0: the gradient's slices added back at their indices. */
  static final class IndexSelectBackward extends Node {
    private final long[] inputShape;
    private final DType dtype;
    private final int dim;
    private final SavedTensor index;

    IndexSelectBackward(Tensor t, int dim, Tensor index) {
      super(t.gradEdge());
      this.inputShape = t.shape;
      this.dtype = t.dtype;
      this.dim = dim;
      this.index = new SavedTensor(index);
    }

    @Override
    public String name() {
      return "IndexSelectBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor grad = Tensor.zeros(dtype, inputShape);
      long[] picks = index.get().toLongArray();
      if (inputShape.length == 0) {
        Arithmetic.addInto(grad, g);
        return new Tensor[] {grad};
      }
      long[] regionShape = inputShape.clone();
      regionShape[dim] = 1;
      for (int i = 0; i < picks.length; i++) {
        long p = picks[i];
        try (Tensor to = grad.alias(null, regionShape, grad.strides, grad.offset + p * grad.strides[dim]);
             Tensor from = g.alias(null, regionShape, g.strides, g.offset + i * g.strides[dim])) {
          Arithmetic.addInto(to, from);
        }
      }
      return new Tensor[] {grad};
    }

    @Override
    protected void releaseSaved() {
      index.release();
    }
  }

  // ------------------------------------------------------------------ gather, scatter_add

  static Tensor gather(Tensor t, int dim, Tensor index) {
    t.ensureOpen();
    index.ensureOpen();
    checkIndexType(index, "gather");
    int nd = Math.max(t.shape.length, 1);
    int d = Shapes.normalizeDim(dim, t.shape.length);
    if (Math.max(index.shape.length, 1) != nd) {
      throw new IllegalArgumentException("Index tensor must have the same number of dimensions as input tensor");
    }
    long[] selfShape = t.shape.length == 0 ? new long[] {1} : t.shape;
    long[] idxShape = index.shape.length == 0 ? new long[] {1} : index.shape;
    for (int i = 0; i < nd; i++) {
      if (i != d && idxShape[i] > selfShape[i]) {
        throw new IllegalArgumentException("Size does not match at dimension " + i + " expected index "
            + Shapes.list(index.shape) + " to be smaller than self " + Shapes.list(t.shape) + " apart from dimension " + d);
      }
    }
    checkIndices(index, selfShape[d], d);
    Tensor out = Tensor.empty(t.dtype, index.shape);
    ElementKernels k = t.kernels(), ki = index.kernels();
    Tensor self = t.shape.length == 0 ? t.alias(null, selfShape, new long[] {1}, t.offset) : t;
    Tensor idx = index.shape.length == 0 ? index.alias(null, idxShape, new long[] {1}, index.offset) : index;
    Tensor dst = index.shape.length == 0 ? out.alias(null, idxShape, new long[] {1}, out.offset) : out;
    try {
      forEachIndex(idxShape, at -> {
        long p = ki.getLong(idx.seg(), offsetOf(idx, at));
        k.copy(self.seg(), offsetOf(self, at, d, p), dst.seg(), offsetOf(dst, at), 1);
      });
    } finally {
      if (self != t) self.close();
      if (idx != index) idx.close();
      if (dst != out) dst.close();
    }
    if (t.recordsGrad()) out.setHistory(new GatherBackward(t, d, index));
    return out;
  }

  /** Throws PyTorch's message for the first index outside {@code [-size, size)}. */
  private static void checkIndices(Tensor index, long size, int dim) {
    for (long p : index.toLongArray()) {
      if (p < 0 || p >= size) throw outOfBounds(p, dim, size);
    }
  }

  /**
   * GatherBackward0: the gradient scatter-added into zeros of the input's shape. The input itself is saved, though
   * only its shape is read, because PyTorch 1.13 saves it ({@code gather_backward(grad, self, dim, index, ...)}): an
   * in-place write to it before backward fails there with the saved-tensor version error.
   */
  static final class GatherBackward extends Node {
    private final long[] inputShape;
    private final DType dtype;
    private final int dim;
    private final SavedTensor index, self;

    GatherBackward(Tensor t, int dim, Tensor index) {
      super(t.gradEdge());
      this.inputShape = t.shape;
      this.dtype = t.dtype;
      this.dim = dim;
      this.index = new SavedTensor(index);
      this.self = new SavedTensor(t);
    }

    @Override
    public String name() {
      return "GatherBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor idx = index.get();
      self.get();   // the version check, in PyTorch's order (index, then self)
      Tensor grad = Tensor.zeros(dtype, inputShape);
      scatterAddInto(grad, dim, idx, g);
      return new Tensor[] {grad};
    }

    @Override
    protected void releaseSaved() {
      index.release();
      self.release();
    }
  }

  static Tensor scatterAdd(Tensor t, int dim, Tensor index, Tensor src, boolean inPlace) {
    t.ensureOpen();
    index.ensureOpen();
    src.ensureOpen();
    checkIndexType(index, "scatter");
    int nd = Math.max(t.shape.length, 1);
    int d = Shapes.normalizeDim(dim, t.shape.length);
    if (Math.max(index.shape.length, 1) != nd || Math.max(src.shape.length, 1) != nd) {
      throw new IllegalArgumentException("Index tensor must have the same number of dimensions as self tensor");
    }
    if (src.dtype != t.dtype) {
      throw new IllegalArgumentException("scatter(): Expected self.dtype to be equal to src.dtype");
    }
    long[] selfShape = t.shape.length == 0 ? new long[] {1} : t.shape;
    long[] idxShape = index.shape.length == 0 ? new long[] {1} : index.shape;
    long[] srcShape = src.shape.length == 0 ? new long[] {1} : src.shape;
    for (int i = 0; i < nd; i++) {
      if ((i != d && idxShape[i] > selfShape[i]) || idxShape[i] > srcShape[i]) {
        throw new IllegalArgumentException("Expected index " + Shapes.list(index.shape) + " to be smaller than self "
            + Shapes.list(t.shape) + " apart from dimension " + d + " and to be smaller size than src "
            + Shapes.list(src.shape));
      }
    }
    checkIndices(index, selfShape[d], d);
    Tensor out;
    Node node = null;
    if (inPlace) {
      boolean record = InPlace.gradRecorded(t, t.requiresGrad() || src.requiresGrad());   // autograd's refusals first
      InPlace.checkWritable(t);
      if (record) node = new ScatterAddBackward(t, d, index, src);
      out = t;
    } else {
      out = Casts.copyAs(t, t.dtype);
    }
    scatterAddInto(out, d, index, src);
    if (inPlace) {
      InPlace.finish(t, node);
    } else if ((t.requiresGrad() || src.requiresGrad()) && ThreadState.current().gradEnabled) {
      out.setHistory(new ScatterAddBackward(t, d, index, src));
    }
    return out;
  }

  /** {@code target[... index[i] ...] += src[i]} along {@code dim} over the index's shape; not recorded. */
  static void scatterAddInto(Tensor target, int dim, Tensor index, Tensor src) {
    long[] idxShape = index.shape.length == 0 ? new long[] {1} : index.shape;
    Tensor tgt = target.shape.length == 0 ? target.alias(null, new long[] {1}, new long[] {1}, target.offset) : target;
    Tensor idx = index.shape.length == 0 ? index.alias(null, idxShape, new long[] {1}, index.offset) : index;
    Tensor s = src.shape.length == 0 ? src.alias(null, new long[] {1}, new long[] {1}, src.offset) : src;
    ElementKernels k = target.kernels(), ks = src.kernels(), ki = index.kernels();
    boolean floating = target.dtype.isFloatingPoint();
    try {
      forEachIndex(idxShape, at -> {
        long p = ki.getLong(idx.seg(), offsetOf(idx, at));
        long o = offsetOf(tgt, at, dim, p), q = offsetOf(s, at);
        if (floating) k.set(tgt.seg(), o, k.get(tgt.seg(), o) + ks.get(s.seg(), q));
        else k.setLong(tgt.seg(), o, k.getLong(tgt.seg(), o) + ks.getLong(s.seg(), q));
      });
    } finally {
      if (tgt != target) tgt.close();
      if (idx != index) idx.close();
      if (s != src) s.close();
    }
  }

  /** ScatterAddBackward0: self's gradient passes through; src's is the gradient gathered at the indices. */
  static final class ScatterAddBackward extends Node {
    private final int dim;
    private final SavedTensor index;
    private final long[] srcShape;

    ScatterAddBackward(Tensor t, int dim, Tensor index, Tensor src) {
      super(t.gradEdge(), src.gradEdge());
      this.dim = dim;
      this.index = new SavedTensor(index);
      this.srcShape = src.shape;
    }

    @Override
    public String name() {
      return "ScatterAddBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor gSrc = null;
      if (needsInputGrad(1)) {
        Tensor idx = index.get();
        Tensor picked = gather(g, dim, idx);
        if (Arrays.equals(picked.shape, srcShape)) {
          gSrc = picked;
        } else {   // index smaller than src: the rest of src took no part
          gSrc = Tensor.zeros(g.dtype, srcShape);
          try (Tensor region = gSrc.alias(null, picked.shape, gSrc.strides, gSrc.offset)) {
            Elementwise.copy(picked, region);
          }
          picked.close();
        }
      }
      return new Tensor[] {needsInputGrad(0) ? g : null, gSrc};
    }

    @Override
    protected void releaseSaved() {
      index.release();
    }
  }

  // ------------------------------------------------------------------ masks

  private static void checkMask(Tensor mask, String op) {
    if (mask.dtype != DType.BOOL) {
      throw new IllegalArgumentException(op + " only supports boolean masks, but got mask with dtype "
          + mask.dtype.torchName().substring(6));
    }
  }

  static Tensor maskedFill(Tensor t, Tensor mask, double value, boolean inPlace) {
    t.ensureOpen();
    mask.ensureOpen();
    checkMask(mask, "masked_fill_");
    Tensor out;
    Node node = null;
    if (inPlace) {
      boolean record = InPlace.gradRecorded(t, t.requiresGrad());   // autograd's refusals first, as PyTorch
      InPlace.checkBroadcastsTo(t, mask);
      InPlace.checkNotReadOnly(t);   // no overlap check: PyTorch masked-fills expanded tensors, as fill_
      if (record) node = new MaskedFillBackward(t.shape, t.dtype, mask, t.gradEdge());
      out = t;
    } else {
      long[] shape = Shapes.broadcast(mask.shape, t.shape);
      out = Tensor.empty(t.dtype, shape);
      Elementwise.copy(t, out);
    }
    fillWhere(out, mask, value);
    if (inPlace) {
      InPlace.finish(t, node);
    } else if (t.recordsGrad()) {
      out.setHistory(new MaskedFillBackward(t.shape, t.dtype, mask, t.gradEdge()));
    }
    return out;
  }

  /** {@code out[i] = value} where {@code mask} (broadcast to out) is true. */
  private static void fillWhere(Tensor out, Tensor mask, double value) {
    if (out.numel == 0) return;
    ElementKernels k = out.kernels(), km = mask.kernels();
    StridedLoop loop = StridedLoop.of(out.shape, out, mask);
    long so = loop.innerStrides[0], sm = loop.innerStrides[1];
    loop.run(0, loop.rows, off -> {
      long o = off[0], m = off[1];
      for (long j = 0; j < loop.inner; j++, o += so, m += sm) {
        if (km.getLong(mask.seg(), m) != 0) k.set(out.seg(), o, value);
      }
    });
  }

  /** MaskedFillBackward0: no gradient where the mask filled, the rest summed to the input's shape. */
  static final class MaskedFillBackward extends Node {
    private final long[] shape;
    private final DType dtype;
    private final SavedTensor mask;

    MaskedFillBackward(long[] shape, DType dtype, Tensor mask, Node edge) {
      super(edge);
      this.shape = shape;
      this.dtype = dtype;
      this.mask = new SavedTensor(mask);
    }

    @Override
    public String name() {
      return "MaskedFillBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor masked = Tensor.empty(g.dtype, Shapes.broadcast(g.shape, mask.get().shape));
      Elementwise.copy(g, masked);
      fillWhere(masked, mask.get(), 0);
      Tensor grad = GradShapes.reduceTo(masked, shape, dtype);
      if (grad != masked) masked.close();
      return new Tensor[] {grad};
    }

    @Override
    protected void releaseSaved() {
      mask.release();
    }
  }

  static Tensor where(Tensor cond, Tensor a, Tensor b) {
    cond.ensureOpen();
    a.ensureOpen();
    b.ensureOpen();
    if (cond.dtype != DType.BOOL) {
      throw new IllegalArgumentException("where expected condition to be a boolean tensor, but got a tensor with dtype "
          + cond.dtype.scalarTypeName());
    }
    DType dtype = Arithmetic.resultType(a, b);
    long[] shape = Shapes.broadcast(Shapes.broadcast(cond.shape, a.shape), b.shape);
    Tensor out = Tensor.empty(dtype, shape);
    if (!Fusion.deferWhere(cond, a, b, out)) select(cond, a, b, out);   // else pending: computed when read
    if ((a.requiresGrad() || b.requiresGrad()) && ThreadState.current().gradEnabled) {
      out.setHistory(new WhereBackward(cond, a, b));
    }
    return out;
  }

  /**
   * {@code out = cond ? a : b}, everything broadcast to out's shape and converted to its dtype: the
   * three as contiguous tensors of out's shape and dtype (the condition as 0 and 1), then one select
   * kernel (a vector blend; the chosen bits copied unchanged), as the fused where computes it.
   */
  private static void select(Tensor cond, Tensor a, Tensor b, Tensor out) {
    if (out.numel == 0) return;
    try (Tensor c = full(cond, out); Tensor fa = full(a, out); Tensor fb = full(b, out)) {
      out.kernels().select(c.seg(), c.offset, fa.seg(), fa.offset, fb.seg(), fb.offset, out.seg(), out.offset, out.numel);
    }
  }

  /** {@code t} broadcast to {@code out}'s shape, contiguous, in its dtype: an alias of {@code t} when it already is. */
  private static Tensor full(Tensor t, Tensor out) {
    if (t.dtype == out.dtype && t.contiguous && Arrays.equals(t.shape, out.shape)) {
      return t.alias(null, t.shape, t.strides, t.offset);
    }
    Tensor f = Tensor.empty(out.dtype, out.shape);
    Casts.convert(t, f);
    return f;
  }

  /** WhereBackward0: the gradient goes to a where the condition held, to b elsewhere. */
  static final class WhereBackward extends Node {
    private final SavedTensor cond;
    private final long[] aShape, bShape;
    private final DType aType, bType;

    WhereBackward(Tensor cond, Tensor a, Tensor b) {
      super(a.gradEdge(), b.gradEdge());
      this.cond = new SavedTensor(cond);
      this.aShape = a.shape;
      this.bShape = b.shape;
      this.aType = a.dtype;
      this.bType = b.dtype;
    }

    @Override
    public String name() {
      return "WhereBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor c = cond.get();
      Tensor[] grads = new Tensor[2];
      try (Tensor zero = Tensor.zeros(g.dtype)) {
        if (needsInputGrad(0)) grads[0] = reduced(where(c, g, zero), aShape, aType);
        if (needsInputGrad(1)) grads[1] = reduced(where(c, zero, g), bShape, bType);
      }
      return grads;
    }

    private static Tensor reduced(Tensor full, long[] shape, DType dtype) {
      Tensor r = GradShapes.reduceTo(full, shape, dtype);
      if (r != full) full.close();
      return r;
    }

    @Override
    protected void releaseSaved() {
      cond.release();
    }
  }

  static Tensor maskedSelect(Tensor t, Tensor mask) {
    t.ensureOpen();
    mask.ensureOpen();
    if (mask.dtype != DType.BOOL) {
      throw new IllegalArgumentException("masked_select: expected BoolTensor or ByteTensor for mask");
    }
    long[] shape = Shapes.broadcast(mask.shape, t.shape);
    long[] positions = truePositions(mask, shape);
    Tensor out = Tensor.empty(t.dtype, new long[] {positions.length});
    if (positions.length > 0) {
      try (Tensor full = Tensor.empty(t.dtype, shape)) {
        Elementwise.copy(t, full);
        ElementKernels k = t.kernels();
        for (int i = 0; i < positions.length; i++) {
          k.copy(full.seg(), full.offset + positions[i], out.seg(), out.offset + i, 1);
        }
      }
    }
    if (t.recordsGrad()) out.setHistory(new MaskedSelectBackward(t, mask, shape));
    return out;
  }

  /** Row-major positions in {@code shape} where {@code mask} (broadcast to it) is true. */
  private static long[] truePositions(Tensor mask, long[] shape) {
    try (Tensor m = Tensor.empty(DType.BOOL, shape)) {
      Elementwise.copy(mask, m);
      boolean[] bits = m.toBooleanArray();
      int count = 0;
      for (boolean b : bits) if (b) count++;
      long[] positions = new long[count];
      for (int i = 0, j = 0; i < bits.length; i++) if (bits[i]) positions[j++] = i;
      return positions;
    }
  }

  /** MaskedSelectBackward0: the gradient's entries put back where the mask is true, summed to the input's shape. */
  static final class MaskedSelectBackward extends Node {
    private final long[] inputShape, shape;
    private final DType dtype;
    private final SavedTensor mask;

    MaskedSelectBackward(Tensor t, Tensor mask, long[] shape) {
      super(t.gradEdge());
      this.inputShape = t.shape;
      this.dtype = t.dtype;
      this.shape = shape;
      this.mask = new SavedTensor(mask);
    }

    @Override
    public String name() {
      return "MaskedSelectBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      long[] positions = truePositions(mask.get(), shape);
      Tensor full = Tensor.zeros(g.dtype, shape);
      try (Tensor src = Casts.contiguousAs(g, g.dtype)) {
        ElementKernels k = full.kernels();
        for (int i = 0; i < positions.length; i++) {
          k.copy(src.seg(), src.offset + i, full.seg(), full.offset + positions[i], 1);
        }
      }
      Tensor grad = GradShapes.reduceTo(full, inputShape, dtype);
      if (grad != full) full.close();
      return new Tensor[] {grad};
    }

    @Override
    protected void releaseSaved() {
      mask.release();
    }
  }

  // ------------------------------------------------------------------ nonzero, one_hot

  static Tensor nonzero(Tensor t) {
    t.ensureOpen();
    int nd = t.shape.length;
    try (Tensor bits = Casts.copyAs(t, DType.BOOL)) {
      boolean[] b = bits.toBooleanArray();
      int count = 0;
      for (boolean x : b) if (x) count++;
      long[] data = new long[count * nd];
      long[] strides = Shapes.contiguousStrides(t.shape);
      for (int i = 0, row = 0; i < b.length; i++) {
        if (!b[i]) continue;
        long rest = i;
        for (int d = 0; d < nd; d++) {
          data[row * nd + d] = rest / strides[d];
          rest %= strides[d];
        }
        row++;
      }
      return Tensor.of(data, count, nd);
    }
  }

  static Tensor oneHot(Tensor t, long numClasses) {
    t.ensureOpen();
    if (t.dtype != DType.INT64) throw new IllegalArgumentException("one_hot is only applicable to index tensor.");
    long[] values = t.toLongArray();
    if (numClasses == -1) {
      if (values.length == 0) {
        throw new IllegalArgumentException("Can not infer total number of classes from empty tensor.");
      }
      numClasses = Arrays.stream(values).max().getAsLong() + 1;
    }
    for (long v : values) {
      if (v < 0) throw new IndexOutOfBoundsException("Class values must be non-negative.");
      if (v >= numClasses) throw new IndexOutOfBoundsException("Class values must be smaller than num_classes.");
    }
    if (numClasses < 1 && values.length > 0) throw new IllegalArgumentException("num_classes should be positive");
    long[] shape = Arrays.copyOf(t.shape, t.shape.length + 1);
    shape[t.shape.length] = numClasses;
    Tensor out = Tensor.zeros(DType.INT64, shape);
    ElementKernels k = out.kernels();
    for (int i = 0; i < values.length; i++) k.setLong(out.seg(), out.offset + i * numClasses + values[i], 1);
    return out;
  }
}
