package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * View ops: new sizes, strides and offset over the same storage, never a copy (except
 * {@code reshape} when the strides cannot express the new shape). Each op's geometry, its PyTorch
 * node name and its derivative sit together. A view shares its base's version counter and
 * remembers the base ({@link Tensor#viewBase()}), so in-place writes through it reach autograd.
 */
final class Views {
  private Views() {}

  // ------------------------------------------------------------------ making views

  /** A view of {@code t} with the given geometry, recorded as {@code node} when t records grad. */
  private static Tensor make(Tensor t, long[] shape, long[] strides, long offset, NodeFactory node) {
    t.ensureOpen();
    Tensor v = t.alias(t.versionCounter(), shape, strides, offset);
    Tensor.Rare r = v.rare();
    Tensor base = t.viewBase();
    r.viewBase = base != null ? base : t;
    r.gradFnVersion = v.version();
    if (ThreadState.current().gradEnabled) {
      if (t.requiresGrad()) v.setHistory(node.create(t.gradEdge()));
      // PyTorch's propagate_creation_meta: a view made with grad mode on inherits how its base view was made
      // (under no_grad, or as one of several outputs: then as output 0 of its own node)
      Tensor.Rare from = t.rare;
      if (from != null && (from.viewMadeWithoutGrad || from.viewOutputOf != null)) {
        r.viewMadeWithoutGrad = from.viewMadeWithoutGrad;
        r.viewOutputOf = from.viewOutputOf;
        r.viewOutputIndex = 0;
      }
    } else {
      // PyTorch: a view made under no_grad of a tensor that requires grad still requires grad (as a
      // leaf without history), and in-place ops recorded on it later are refused.
      r.viewMadeWithoutGrad = true;
      v.requiresGrad = t.requiresGrad() && v.dtype.isFloatingPoint();
    }
    return v;
  }

  @FunctionalInterface
  private interface NodeFactory {
    Node create(Node edge);
  }

  // ------------------------------------------------------------------ view, reshape, flatten

  static Tensor view(Tensor t, long[] sizes) {
    t.ensureOpen();
    long[] shape = inferSize(sizes, t.numel);
    long[] strides = computeStrides(t.shape, t.strides, shape);
    if (strides == null) {
      throw new IllegalArgumentException("view size is not compatible with input tensor's size and stride (at least "
          + "one dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
    }
    return make(t, shape, strides, t.offset, e -> new ReshapeBackward("ViewBackward0", t.shape, e));
  }

  static Tensor reshape(Tensor t, long[] sizes) {
    t.ensureOpen();
    long[] shape = inferSize(sizes, t.numel);
    long[] strides = computeStrides(t.shape, t.strides, shape);
    if (strides != null) {   // PyTorch 1.13 records reshape's view as _reshape_alias
      return make(t, shape, strides, t.offset, e -> new ReshapeBackward("ReshapeAliasBackward0", t.shape, e));
    }
    // PyTorch: _unsafe_view(clone(contiguous)): a copy that is not a view of t.
    try (Tensor copy = Copies.cloneOf(t)) {
      Tensor out = copy.reshaped(null, shape);
      if (copy.recordsGrad()) out.setHistory(new ReshapeBackward("UnsafeViewBackward0", t.shape, copy.gradEdge()));
      return out;
    }
  }

  static Tensor flatten(Tensor t, int startDim, int endDim) {
    t.ensureOpen();
    int nd = t.shape.length;
    int start = Shapes.normalizeDim(startDim, nd), end = Shapes.normalizeDim(endDim, nd);
    if (start > end) throw new IllegalArgumentException("flatten() has invalid args: start_dim cannot come after end_dim");
    if (nd == 0) return reshape(t, new long[] {1});
    if (start == end) return t;
    long[] shape = new long[nd - (end - start)];
    long merged = 1;
    for (int i = start; i <= end; i++) merged *= t.shape[i];
    for (int i = 0, j = 0; i < nd; i++) {
      if (i < start || i > end) shape[j++] = t.shape[i];
      else if (i == start) shape[j++] = merged;
    }
    return reshape(t, shape);
  }

  static Tensor unflatten(Tensor t, int dim, long[] sizes) {
    t.ensureOpen();
    int nd = t.shape.length;
    int d = Shapes.normalizeDim(dim, nd);
    if (sizes.length == 0) throw new IllegalArgumentException("unflatten: sizes must be non-empty");
    long product = 1;
    for (long s : sizes) if (s != -1) product *= s;
    boolean inferred = Arrays.stream(sizes).anyMatch(s -> s == -1);
    if (inferred ? product == 0 || t.shape[d] % product != 0 : product != t.shape[d]) {
      throw new IllegalArgumentException("unflatten: Provided sizes " + Arrays.toString(sizes) + " don't multiply up to "
          + "the size of dim " + d + " (" + t.shape[d] + ") in the input tensor");
    }
    long[] inner = inferSize(sizes, t.shape[d]);
    long[] shape = new long[nd - 1 + inner.length];
    System.arraycopy(t.shape, 0, shape, 0, d);
    System.arraycopy(inner, 0, shape, d, inner.length);
    System.arraycopy(t.shape, d + 1, shape, d + inner.length, nd - d - 1);
    return view(t, shape);
  }

  /** PyTorch's {@code infer_size}: one -1 is inferred; the element count must match. */
  static long[] inferSize(long[] sizes, long numel) {
    long product = 1;
    int infer = -1;
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] == -1) {
        if (infer >= 0) throw new IllegalArgumentException("only one dimension can be inferred");
        infer = i;
      } else if (sizes[i] < 0) {
        throw new IllegalArgumentException("invalid shape dimension " + sizes[i]);
      } else {
        product *= sizes[i];
      }
    }
    long[] shape = sizes.length == 0 ? Shapes.SCALAR : sizes.clone();
    if (infer >= 0 && product == 0) {
      throw new IllegalArgumentException("cannot reshape tensor of 0 elements into shape " + Arrays.toString(sizes)
          + " because the unspecified dimension size -1 can be any value and is ambiguous");
    }
    if (infer >= 0 && numel % product == 0) {
      shape[infer] = numel / product;
      return shape;
    }
    if (infer < 0 && product == numel) return shape;
    throw new IllegalArgumentException("shape '" + Arrays.toString(sizes) + "' is invalid for input of size " + numel);
  }

  /**
   * Strides that show a tensor of {@code oldShape}/{@code oldStrides} as {@code newShape}, or null
   * when no strides can (PyTorch's {@code computeStride}: each run of dims that is contiguous in
   * memory may be re-split freely, runs may not be merged).
   */
  static long[] computeStrides(long[] oldShape, long[] oldStrides, long[] newShape) {
    int nNew = newShape.length;
    if (oldShape.length == 0) {
      long[] s = new long[nNew];
      Arrays.fill(s, 1);
      return s;
    }
    long numel = Shapes.numel(oldShape);
    if (numel == 0 && Arrays.equals(oldShape, newShape)) return oldStrides.clone();
    long[] newStrides = new long[nNew];
    if (numel == 0) {
      for (int d = nNew - 1; d >= 0; d--) {
        newStrides[d] = d == nNew - 1 ? 1 : Math.max(newShape[d + 1], 1) * newStrides[d + 1];
      }
      return newStrides;
    }
    int viewD = nNew - 1;
    long chunkBaseStride = oldStrides[oldStrides.length - 1];
    long tensorNumel = 1, viewNumel = 1;
    for (int td = oldShape.length - 1; td >= 0; td--) {
      tensorNumel *= oldShape[td];
      if (td == 0 || (oldShape[td - 1] != 1 && oldStrides[td - 1] != tensorNumel * chunkBaseStride)) {
        while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
          newStrides[viewD] = viewNumel * chunkBaseStride;
          viewNumel *= newShape[viewD];
          viewD--;
        }
        if (viewNumel != tensorNumel) return null;
        if (td > 0) {
          chunkBaseStride = oldStrides[td - 1];
          tensorNumel = 1;
          viewNumel = 1;
        }
      }
    }
    return viewD == -1 ? newStrides : null;
  }

  /** {@code g} as a tensor of {@code shape} (same numel): a view when contiguous, else a contiguous copy. */
  static Tensor reshapeGrad(Tensor g, long[] shape) {
    if (g.contiguous) return g.reshaped(null, shape);
    try (Tensor c = Casts.copyAs(g, g.dtype)) {
      return c.reshaped(null, shape);
    }
  }

  /** ViewBackward0, UnsafeViewBackward0, SqueezeBackward0/1, UnsqueezeBackward0: the gradient reshaped back. */
  static final class ReshapeBackward extends Node {
    private final String name;
    private final long[] inputShape;

    ReshapeBackward(String name, long[] inputShape, Node edge) {
      super(edge);
      this.name = name;
      this.inputShape = inputShape;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      return new Tensor[] {reshapeGrad(g, inputShape)};
    }
  }

  // ------------------------------------------------------------------ transpose, permute, expand

  static Tensor transpose(Tensor t, int dim0, int dim1) {
    return transposed(t, dim0, dim1, "TransposeBackward0");
  }

  static Tensor t(Tensor t) {
    t.ensureOpen();
    if (t.shape.length > 2) {
      throw new IllegalArgumentException("t() expects a tensor with <= 2 dimensions, but self is " + t.shape.length + "D");
    }
    return t.shape.length < 2 ? transposed(t, 0, 0, "TBackward0") : transposed(t, 0, 1, "TBackward0");
  }

  static Tensor mT(Tensor t) {
    t.ensureOpen();
    if (t.shape.length < 2) {
      throw new IllegalArgumentException("tensor.mT is only supported on matrices or batches of matrices. Got "
          + t.shape.length + "-D tensor.");
    }
    return transposed(t, -2, -1, "TransposeBackward0");
  }

  private static Tensor transposed(Tensor t, int dim0, int dim1, String name) {
    t.ensureOpen();
    int nd = t.shape.length;
    int[] perm = new int[nd];
    for (int i = 0; i < nd; i++) perm[i] = i;
    if (nd > 0) {
      int a = Shapes.normalizeDim(dim0, nd), b = Shapes.normalizeDim(dim1, nd);
      perm[a] = b;
      perm[b] = a;
    } else {
      Shapes.normalizeDim(dim0, nd);
      Shapes.normalizeDim(dim1, nd);
    }
    return permuted(t, perm, name);
  }

  static Tensor permute(Tensor t, int[] dims) {
    t.ensureOpen();
    int nd = t.shape.length;
    if (dims.length != nd) {
      throw new IllegalArgumentException("permute(sparse_coo): number of dimensions in the tensor input does not "
          + "match the length of the desired ordering of dimensions i.e. input.dim() = " + nd + " is not equal to "
          + "len(dims) = " + dims.length);
    }
    int[] perm = new int[nd];
    boolean[] seen = new boolean[nd];
    for (int i = 0; i < nd; i++) {
      perm[i] = Shapes.normalizeDim(dims[i], nd);
      if (seen[perm[i]]) throw new IllegalArgumentException("permute(): duplicate dims are not allowed.");
      seen[perm[i]] = true;
    }
    return permuted(t, perm, "PermuteBackward0");
  }

  private static Tensor permuted(Tensor t, int[] perm, String name) {
    int nd = perm.length;
    long[] shape = new long[nd], strides = new long[nd];
    int[] inverse = new int[nd];
    for (int i = 0; i < nd; i++) {
      shape[i] = t.shape[perm[i]];
      strides[i] = t.strides[perm[i]];
      inverse[perm[i]] = i;
    }
    return make(t, shape, strides, t.offset, e -> new PermuteBackward(name, inverse, e));
  }

  /** TransposeBackward0, TBackward0, PermuteBackward0: the gradient permuted back (a view of it). */
  static final class PermuteBackward extends Node {
    private final String name;
    private final int[] inverse;

    PermuteBackward(String name, int[] inverse, Node edge) {
      super(edge);
      this.name = name;
      this.inverse = inverse;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      int nd = inverse.length;
      long[] shape = new long[nd], strides = new long[nd];
      for (int i = 0; i < nd; i++) {
        shape[i] = g.shape[inverse[i]];
        strides[i] = g.strides[inverse[i]];
      }
      return new Tensor[] {g.alias(null, shape, strides, g.offset)};
    }
  }

  static Tensor expand(Tensor t, long[] sizes) {
    t.ensureOpen();
    int nd = t.shape.length, n = sizes.length;
    if (n < nd) {
      throw new IllegalArgumentException("expand(" + t.dtype.legacyTypeName() + "{" + Shapes.list(t.shape)
          + "}, size=" + Shapes.list(sizes) + "): the number of sizes provided (" + n + ") must be greater or "
          + "equal to the number of dimensions in the tensor (" + nd + ")");
    }
    long[] shape = new long[n], strides = new long[n];
    for (int i = n - 1; i >= 0; i--) {
      int j = i - (n - nd);
      long size = sizes[i];
      if (j < 0) {
        if (size < 0) {
          throw new IllegalArgumentException("The expanded size of the tensor (" + size + ") isn't allowed in a "
              + "leading, non-existing dimension " + i);
        }
        shape[i] = size;
        // a new leading dim of size 1 gets the stride it would have in a contiguous tensor (PyTorch's
        // inferExpandGeometry); stride 0 where it repeats, and everywhere for a 0-dim tensor
        strides[i] = size == 1 && nd > 0 ? shape[i + 1] * strides[i + 1] : 0;
        continue;
      }
      long own = t.shape[j];
      if (size == -1) size = own;
      if (own == size) {
        shape[i] = size;
        strides[i] = t.strides[j];
      } else if (own == 1 && size >= 0) {
        shape[i] = size;
        strides[i] = 0;
      } else {
        throw new IllegalArgumentException("The expanded size of the tensor (" + size + ") must match the existing "
            + "size (" + own + ") at non-singleton dimension " + i + ".  Target sizes: " + Shapes.list(sizes)
            + ".  Tensor sizes: " + Shapes.list(t.shape));
      }
    }
    long[] inputShape = t.shape;
    DType dtype = t.dtype;
    return make(t, shape, strides, t.offset, e -> new ExpandBackward(inputShape, dtype, e));
  }

  /** ExpandBackward0: the gradient summed over the repeated dims. */
  static final class ExpandBackward extends Node {
    private final long[] inputShape;
    private final DType dtype;

    ExpandBackward(long[] inputShape, DType dtype, Node edge) {
      super(edge);
      this.inputShape = inputShape;
      this.dtype = dtype;
    }

    @Override
    public String name() {
      return "ExpandBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      return new Tensor[] {GradShapes.reduceTo(g, inputShape, dtype)};
    }
  }

  // ------------------------------------------------------------------ squeeze, unsqueeze

  static Tensor squeeze(Tensor t) {
    t.ensureOpen();
    int kept = 0;
    for (long s : t.shape) if (s != 1) kept++;
    long[] shape = new long[kept], strides = new long[kept];
    for (int i = 0, j = 0; i < t.shape.length; i++) {
      if (t.shape[i] != 1) {
        shape[j] = t.shape[i];
        strides[j++] = t.strides[i];
      }
    }
    long[] inputShape = t.shape;
    return make(t, shape, strides, t.offset, e -> new ReshapeBackward("SqueezeBackward0", inputShape, e));
  }

  static Tensor squeeze(Tensor t, int dim) {
    t.ensureOpen();
    int nd = t.shape.length;
    int d = Shapes.normalizeDim(dim, nd);
    long[] inputShape = t.shape;
    if (nd == 0 || t.shape[d] != 1) {
      return make(t, t.shape, t.strides, t.offset, e -> new ReshapeBackward("SqueezeBackward1", inputShape, e));
    }
    long[] shape = new long[nd - 1], strides = new long[nd - 1];
    for (int i = 0, j = 0; i < nd; i++) {
      if (i != d) {
        shape[j] = t.shape[i];
        strides[j++] = t.strides[i];
      }
    }
    return make(t, shape, strides, t.offset, e -> new ReshapeBackward("SqueezeBackward1", inputShape, e));
  }

  static Tensor unsqueeze(Tensor t, int dim) {
    t.ensureOpen();
    int nd = t.shape.length;
    int d = Shapes.normalizeDim(dim, nd + 1);
    long[] shape = new long[nd + 1], strides = new long[nd + 1];
    for (int i = 0, j = 0; i <= nd; i++) {
      if (i == d) {
        shape[i] = 1;
        strides[i] = d < nd ? t.shape[d] * t.strides[d] : 1;
      } else {
        shape[i] = t.shape[j];
        strides[i] = t.strides[j++];
      }
    }
    long[] inputShape = t.shape;
    return make(t, shape, strides, t.offset, e -> new ReshapeBackward("UnsqueezeBackward0", inputShape, e));
  }

  // ------------------------------------------------------------------ slicing

  static Tensor narrow(Tensor t, int dim, long start, long length) {
    t.ensureOpen();
    if (t.shape.length == 0) throw new IllegalArgumentException("narrow() cannot be applied to a 0-dim tensor.");
    int d = Shapes.normalizeDim(dim, t.shape.length);
    long size = t.shape[d];
    // PyTorch 1.13 wraps start like a dim index, except that start == size (an empty view at the end) is valid.
    if (start != size && (start < -Math.max(size, 1) || start > Math.max(size - 1, 0))) {
      throw new IndexOutOfBoundsException("Dimension out of range (expected to be in range of [" + (-Math.max(size, 1))
          + ", " + Math.max(size - 1, 0) + "], but got " + start + ")");
    }
    if (start < 0) start += size;
    if (length < 0 || start + length > size) {
      String message = "start (" + start + ") + length (" + length + ") exceeds dimension size (" + size + ").";
      throw length < 0 ? new IllegalArgumentException(message) : new IndexOutOfBoundsException(message);
    }
    return sliced(t, d, start, length, 1, "SliceBackward0");
  }

  static Tensor slice(Tensor t, int dim, long start, long end, long step) {
    t.ensureOpen();
    if (t.shape.length == 0) throw new IllegalArgumentException("slice() cannot be applied to a 0-dim tensor.");
    int d = Shapes.normalizeDim(dim, t.shape.length);
    if (step <= 0) throw new IllegalArgumentException("slice step must be positive");
    long size = t.shape[d];
    if (start < 0) start += size;
    if (end < 0) end += size;
    start = Math.min(Math.max(start, 0), size);
    end = Math.min(Math.max(end, start), size);
    long length = (end - start + step - 1) / step;
    return sliced(t, d, start, length, step, "SliceBackward0");
  }

  /** Indices {@code start, start + step, ...} ({@code length} of them) of dim {@code d}. */
  private static Tensor sliced(Tensor t, int d, long start, long length, long step, String name) {
    long[] shape = t.shape.clone(), strides = t.strides.clone();
    shape[d] = length;
    strides[d] = t.strides[d] * step;
    long offset = t.offset + start * t.strides[d];
    long[] inputShape = t.shape;
    DType dtype = t.dtype;
    return make(t, shape, strides, offset, e -> new SliceBackward(name, inputShape, dtype, d, start, step, false, e));
  }

  static Tensor select(Tensor t, int dim, long index) {
    return selected(t, dim, index, "SelectBackward0");
  }

  private static Tensor selected(Tensor t, int dim, long index, String name) {
    t.ensureOpen();
    if (t.shape.length == 0) throw new IllegalArgumentException("select() cannot be applied to a 0-dim tensor.");
    int d = Shapes.normalizeDim(dim, t.shape.length);
    long size = t.shape[d];
    if (index < -size || index >= size) {
      throw new IndexOutOfBoundsException("select(): index " + index + " out of range for tensor of size "
          + Shapes.list(t.shape) + " at dimension " + d);
    }
    long i = index < 0 ? index + size : index;
    int nd = t.shape.length;
    long[] shape = new long[nd - 1], strides = new long[nd - 1];
    for (int k = 0, j = 0; k < nd; k++) {
      if (k != d) {
        shape[j] = t.shape[k];
        strides[j++] = t.strides[k];
      }
    }
    long[] inputShape = t.shape;
    DType dtype = t.dtype;
    return make(t, shape, strides, t.offset + i * t.strides[d],
        e -> new SliceBackward(name, inputShape, dtype, d, i, 1, true, e));
  }

  static List<Tensor> split(Tensor t, long size, int dim) {
    t.ensureOpen();
    if (t.shape.length == 0) throw new IllegalArgumentException("split expects at least a 1-dimensional tensor");
    int d = Shapes.normalizeDim(dim, t.shape.length);
    long dimSize = t.shape[d];
    if (size < 0 || (size == 0 && dimSize != 0)) {
      throw new IllegalArgumentException("split_size can only be 0 if dimension size is 0, but got dimension size of "
          + dimSize);
    }
    long pieces = size == 0 ? 1 : Math.max(1, (dimSize + size - 1) / size);
    List<Tensor> out = new ArrayList<>((int) pieces);
    for (long p = 0; p < pieces; p++) {
      long start = p * size;
      out.add(multiOutput(sliced(t, d, start, Math.min(size, dimSize - start), 1, "SplitBackward0"),
          "SplitBackward0", p));
    }
    return out;
  }

  static List<Tensor> chunk(Tensor t, int chunks, int dim) {
    t.ensureOpen();
    if (t.shape.length == 0) throw new IllegalArgumentException("chunk expects at least a 1-dimensional tensor");
    if (chunks <= 0) throw new IllegalArgumentException("chunk expects `chunks` to be greater than 0, got: " + chunks);
    int d = Shapes.normalizeDim(dim, t.shape.length);
    if (t.shape[d] == 0) {
      // PyTorch splits an empty dim with split_with_sizes, which keeps the number of chunks
      List<Tensor> out = new ArrayList<>(chunks);
      for (int p = 0; p < chunks; p++) {
        out.add(multiOutput(sliced(t, d, 0, 0, 1, "SplitWithSizesBackward0"), "SplitWithSizesBackward0", p));
      }
      return out;
    }
    return split(t, (t.shape[d] + chunks - 1) / chunks, d);
  }

  static List<Tensor> unbind(Tensor t, int dim) {
    t.ensureOpen();
    if (t.shape.length == 0) throw new IllegalArgumentException("Dimension specified as 0 but tensor has no dimensions");
    int d = Shapes.normalizeDim(dim, t.shape.length);
    List<Tensor> out = new ArrayList<>((int) t.shape[d]);
    for (long i = 0; i < t.shape[d]; i++) out.add(multiOutput(selected(t, d, i, "UnbindBackward0"), "UnbindBackward0", i));
    return out;
  }

  /**
   * Marks {@code v} as output {@code index} of a multi-view op: PyTorch refuses in-place ops recorded on it. Under
   * no_grad it is a view made without grad like any other (PyTorch's CreationMeta is NO_GRAD_MODE then).
   */
  private static Tensor multiOutput(Tensor v, String node, long index) {
    if (!ThreadState.current().gradEnabled) return v;
    Tensor.Rare r = v.rare();
    r.viewMadeWithoutGrad = false;
    r.viewOutputOf = node;
    r.viewOutputIndex = (int) index;
    return v;
  }

  /**
   * SliceBackward0, SelectBackward0, SplitBackward0, UnbindBackward0: the gradient placed into its
   * region of a zero gradient of the input's shape.
   */
  static final class SliceBackward extends Node {
    private final String name;
    private final long[] inputShape;
    private final DType dtype;
    private final int dim;
    private final long start, step;
    private final boolean dropsDim;

    SliceBackward(String name, long[] inputShape, DType dtype, int dim, long start, long step, boolean dropsDim,
                  Node edge) {
      super(edge);
      this.name = name;
      this.inputShape = inputShape;
      this.dtype = dtype;
      this.dim = dim;
      this.start = start;
      this.step = step;
      this.dropsDim = dropsDim;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor grad = Tensor.filled(dtype, 0, inputShape, Shapes.numel(inputShape));
      long[] full = grad.strides;
      int nd = inputShape.length;
      long[] shape = new long[dropsDim ? nd - 1 : nd], strides = new long[shape.length];
      for (int i = 0, j = 0; i < nd; i++) {
        if (i == dim) {
          if (dropsDim) continue;
          shape[j] = g.shape[j];
          strides[j++] = full[i] * step;
        } else {
          shape[j] = inputShape[i];
          strides[j++] = full[i];
        }
      }
      long offset = grad.offset + (Shapes.numel(shape) == 0 ? 0 : start * full[dim]);
      try (Tensor region = grad.alias(null, shape, strides, offset)) {
        Casts.convert(g, region);
      }
      return new Tensor[] {grad};
    }
  }
}
