package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.kernels.BinaryOp;

/**
 * What autograd records when a view is written in place, as PyTorch does: the base's history gets
 * a {@code CopySlices} node (the base's old values flow through except in the view's region, where
 * the in-place op's derivative applies), and every view of that base, when next used, gets an
 * {@code AsStridedBackward0} node that routes its gradient into the base's region it covers.
 *
 * <p>Regions are described in the base's element space, so the base must be contiguous (every
 * tensor an op creates is); a write recorded through a view of a non-contiguous base (a
 * {@code detach()} of a transposed tensor) is refused with an exception.
 */
final class ViewHistory {
  private ViewHistory() {}

  /** Rewrites history after the in-place op recorded as {@code node} wrote through {@code view}. */
  static void rebase(Tensor view, Node node) {
    Tensor base = view.viewBase();
    Region region = Region.of(base, view);
    CopySlices copySlices = new CopySlices(base.gradEdge(), region, node);
    base.requiresGrad = true;
    base.gradFn = copySlices;
    view.gradFn = new AsStridedBackward(copySlices, region);
    view.requiresGrad = true;
    view.rare().gradFnVersion = view.version();
  }

  /** The regenerated history of {@code view} after its base's storage was modified in place. */
  static Node asStrided(Tensor base, Tensor view) {
    return new AsStridedBackward(base.gradEdge(), Region.of(base, view));
  }

  /** A view's elements as a region of its base: the base's shape and dtype, the view's geometry relative to it. */
  record Region(long[] baseShape, DType dtype, long[] shape, long[] strides, long offset) {
    static Region of(Tensor base, Tensor view) {
      if (!base.contiguous) {
        throw new UnsupportedOperationException("vectorgrad records in-place operations through views only for "
            + "contiguous bases; clone() the base first");
      }
      return new Region(base.shape, base.dtype, view.shape, view.strides, view.offset - base.offset);
    }

    /** The region of {@code whole} (a contiguous tensor of the base's shape) as a view of it. */
    Tensor in(Tensor whole) {
      return whole.alias(null, shape, strides, whole.offset + offset);
    }

    boolean overlaps() {
      for (int i = 0; i < shape.length; i++) if (strides[i] == 0 && shape[i] > 1) return true;
      return false;
    }
  }

  /** The base after an in-place op through one of its views. PyTorch: {@code CopySlices}. */
  static final class CopySlices extends Node {
    private final Region region;
    private final Node fn;

    CopySlices(Node baseEdge, Region region, Node fn) {
      super(edges(baseEdge, fn));
      this.region = region;
      this.fn = fn;
    }

    private static Node[] edges(Node baseEdge, Node fn) {
      Node[] e = new Node[inputCount(fn)];
      e[0] = baseEdge;
      for (int i = 1; i < e.length; i++) e[i] = edge(fn, i);
      return e;
    }

    @Override
    public String name() {
      return "CopySlices";
    }

    @Override
    public String qualifiedName() {
      return "torch::autograd::CopySlices";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      checkNotReleased();   // PyTorch drops the wrapped node when the graph is freed, whatever it saved
      Tensor result = Casts.copyAs(g, g.dtype());
      Tensor[] grads;
      // viewGrad is not closed here: the wrapped derivative may pass it on as another input's
      // gradient; the backward pass's scope releases it.
      try (Tensor inRegion = region.in(result)) {
        Tensor viewGrad = Casts.copyAs(inRegion, inRegion.dtype());
        grads = applyWrapped(fn, viewGrad);
        Tensor own = grads[0];
        if (own == null) {
          Elementwise.fill(inRegion, 0);
        } else {
          Casts.convert(own, inRegion);
        }
      }
      Tensor[] out = grads.clone();
      out[0] = needsInputGrad(0) ? result : null;
      if (out[0] == null) result.close();
      return out;
    }

    @Override
    protected void releaseSaved() {
      // The wrapped node's saved tensors go with it.
      releaseWrapped(fn);
    }
  }

  /** A view's gradient placed into its region of a zero gradient for the base. PyTorch: {@code AsStridedBackward0}. */
  static final class AsStridedBackward extends Node {
    private final Region region;

    AsStridedBackward(Node baseEdge, Region region) {
      super(baseEdge);
      this.region = region;
    }

    @Override
    public String name() {
      return "AsStridedBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      Tensor grad = Tensor.filled(g.dtype(), 0, region.baseShape(), Shapes.numel(region.baseShape()));
      try (Tensor inRegion = region.in(grad)) {
        if (region.overlaps()) {
          accumulateOverlapping(inRegion, g);
        } else {
          Arithmetic.compute(BinaryOp.ADD, inRegion, g, inRegion);
        }
      }
      return new Tensor[] {grad};
    }

    /** {@code target[i] += g[i]} one element after the other, as several indices reach one element. */
    private static void accumulateOverlapping(Tensor target, Tensor g) {
      try (Tensor src = Casts.copyAs(g, target.dtype)) {
        var k = target.kernels();
        StridedLoop loop = StridedLoop.of(target.shape, target, src);
        long st = loop.innerStrides[0], ss = loop.innerStrides[1];
        loop.run(0, loop.rows, off -> {
          long p = off[0], q = off[1];
          for (long j = 0; j < loop.inner; j++, p += st, q += ss) {
            k.set(target.seg(), p, k.get(target.seg(), p) + k.get(src.seg(), q));
          }
        });
      }
    }
  }
}
