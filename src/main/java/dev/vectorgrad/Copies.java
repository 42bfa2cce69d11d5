package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;
import java.util.List;

/** Ops that copy into a new contiguous tensor: clone, cat, stack; each with its derivative. */
final class Copies {
  private Copies() {}

  // ------------------------------------------------------------------ clone

  static Tensor cloneOf(Tensor t) {
    t.ensureOpen();
    Tensor out = Tensor.empty(t.dtype, t.shape, t.numel);
    Elementwise.copy(t, out);
    if (t.recordsGrad()) out.setHistory(new CloneBackward(t.gradEdge()));
    return out;
  }

  /** CloneBackward0: the gradient passes through. */
  static final class CloneBackward extends Node {
    CloneBackward(Node edge) {
      super(edge);
    }

    @Override
    public String name() {
      return "CloneBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      return new Tensor[] {g};
    }
  }

  // ------------------------------------------------------------------ cat

  static Tensor cat(int dim, List<Tensor> tensors) {
    if (tensors.isEmpty()) throw new IllegalArgumentException("torch.cat(): expected a non-empty list of Tensors");
    Tensor ref = null;
    DType dtype = null;
    for (int i = 0; i < tensors.size(); i++) {
      Tensor t = tensors.get(i);
      t.ensureOpen();
      if (t.shape.length == 0) {
        throw new IllegalArgumentException("zero-dimensional tensor (at position " + i + ") cannot be concatenated");
      }
      dtype = dtype == null ? t.dtype : DType.promote(dtype, t.dtype);
      if (ref == null && !skipped(t)) ref = t;
    }
    if (ref == null) ref = tensors.get(0);   // all are legacy empty 1-D tensors
    int nd = ref.shape.length;
    int d = Shapes.normalizeDim(dim, nd);
    long total = 0;
    for (int i = 0; i < tensors.size(); i++) {
      Tensor t = tensors.get(i);
      if (skipped(t) && t != ref) continue;
      if (t.shape.length != nd) {
        throw new IllegalArgumentException("Tensors must have same number of dimensions: got " + nd + " and "
            + t.shape.length);
      }
      for (int k = 0; k < nd; k++) {
        if (k != d && t.shape[k] != ref.shape[k]) {
          throw new IllegalArgumentException("Sizes of tensors must match except in dimension " + d + ". Expected size "
              + ref.shape[k] + " but got size " + t.shape[k] + " for tensor number " + i + " in the list.");
        }
      }
      total += t.shape[d];
    }
    long[] shape = ref.shape.clone();
    shape[d] = total;
    Tensor out = Tensor.empty(dtype, shape);
    long at = 0;
    boolean record = false;
    for (Tensor t : tensors) {
      record |= t.recordsGrad();   // a skipped empty input that requires grad still makes the result require it
      if (skipped(t) && t != ref) continue;
      try (Tensor region = out.alias(null, t.shape, out.strides, out.offset + at * out.strides[d])) {
        Casts.convert(t, region);
      }
      at += t.shape[d];
    }
    if (record) out.setHistory(new CatBackward(tensors, ref, d));
    return out;
  }

  /** PyTorch still skips 1-D tensors of size 0 in cat, whatever the other tensors' shapes. */
  private static boolean skipped(Tensor t) {
    return t.shape.length == 1 && t.shape[0] == 0;
  }

  /** CatBackward0: each input gets its slab of the gradient, in its own dtype. */
  static final class CatBackward extends Node {
    private final long[][] shapes;
    private final DType[] dtypes;
    private final boolean[] skip;
    private final int dim;

    CatBackward(List<Tensor> inputs, Tensor ref, int dim) {
      super(edges(inputs));
      this.dim = dim;
      int n = inputs.size();
      shapes = new long[n][];
      dtypes = new DType[n];
      skip = new boolean[n];
      for (int i = 0; i < n; i++) {
        Tensor t = inputs.get(i);
        shapes[i] = t.shape;
        dtypes[i] = t.dtype;
        skip[i] = skipped(t) && t != ref;
      }
    }

    @Override
    public String name() {
      return "CatBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor[] grads = new Tensor[shapes.length];
      long at = 0;
      for (int i = 0; i < shapes.length; i++) {
        if (skip[i]) {
          if (needsInputGrad(i)) grads[i] = Tensor.zeros(dtypes[i], shapes[i]);
          continue;
        }
        if (needsInputGrad(i)) {
          try (Tensor slab = g.alias(null, shapes[i], g.strides, g.offset + at * g.strides[dim])) {
            grads[i] = Casts.copyAs(slab, dtypes[i]);
          }
        }
        at += shapes[i][dim];
      }
      return grads;
    }
  }

  static Node[] edges(List<Tensor> inputs) {
    Node[] edges = new Node[inputs.size()];
    for (int i = 0; i < edges.length; i++) {
      Tensor t = inputs.get(i);
      edges[i] = t.recordsGrad() ? t.gradEdge() : null;
    }
    return edges;
  }

  // ------------------------------------------------------------------ stack

  static Tensor stack(int dim, List<Tensor> tensors) {
    if (tensors.isEmpty()) throw new IllegalArgumentException("stack expects a non-empty TensorList");
    Tensor first = tensors.get(0);
    first.ensureOpen();
    Shapes.normalizeDim(dim, first.shape.length + 1);   // PyTorch checks the dim before the sizes
    DType dtype = null;
    for (int i = 0; i < tensors.size(); i++) {
      Tensor t = tensors.get(i);
      t.ensureOpen();
      if (!java.util.Arrays.equals(t.shape, first.shape)) {
        throw new IllegalArgumentException("stack expects each tensor to be equal size, but got " + Shapes.list(first.shape)
            + " at entry 0 and " + Shapes.list(t.shape) + " at entry " + i);
      }
      dtype = dtype == null ? t.dtype : DType.promote(dtype, t.dtype);
    }
    int nd = first.shape.length;
    int d = Shapes.normalizeDim(dim, nd + 1);
    long[] shape = new long[nd + 1];
    for (int i = 0, j = 0; i <= nd; i++) shape[i] = i == d ? tensors.size() : first.shape[j++];
    Tensor out = Tensor.empty(dtype, shape);
    long[] regionStrides = dropDim(out.strides, d);
    boolean record = false;
    for (int i = 0; i < tensors.size(); i++) {
      Tensor t = tensors.get(i);
      try (Tensor region = out.alias(null, first.shape, regionStrides, out.offset + i * out.strides[d])) {
        Casts.convert(t, region);
      }
      record |= t.recordsGrad();
    }
    if (record) out.setHistory(new StackBackward(tensors, d));
    return out;
  }

  private static long[] dropDim(long[] a, int d) {
    long[] r = new long[a.length - 1];
    for (int i = 0, j = 0; i < a.length; i++) if (i != d) r[j++] = a[i];
    return r;
  }

  /** StackBackward0: each input gets its index of the gradient along the new dim. */
  static final class StackBackward extends Node {
    private final long[] shape;
    private final DType[] dtypes;
    private final int dim;

    StackBackward(List<Tensor> inputs, int dim) {
      super(edges(inputs));
      this.shape = inputs.get(0).shape;
      this.dim = dim;
      this.dtypes = new DType[inputs.size()];
      for (int i = 0; i < dtypes.length; i++) dtypes[i] = inputs.get(i).dtype;
    }

    @Override
    public String name() {
      return "StackBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor[] grads = new Tensor[dtypes.length];
      long[] strides = dropDim(g.strides, dim);
      for (int i = 0; i < grads.length; i++) {
        if (!needsInputGrad(i)) continue;
        try (Tensor slab = g.alias(null, shape, strides, g.offset + i * g.strides[dim])) {
          grads[i] = Casts.copyAs(slab, dtypes[i]);
        }
      }
      return grads;
    }
  }
}
