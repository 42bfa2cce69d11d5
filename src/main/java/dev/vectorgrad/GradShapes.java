package dev.vectorgrad;

import java.util.Arrays;

/**
 * The two shape moves every derivative needs: summing a gradient back to an input's shape (undoing
 * a broadcast, PyTorch's {@code sum_to}) and expanding a reduced gradient to the input's shape.
 */
final class GradShapes {
  private GradShapes() {}

  /** {@code g} summed over the dims broadcasting added or stretched, in {@code dtype}; {@code g} itself when nothing changes. */
  static Tensor reduceTo(Tensor g, long[] shape, DType dtype) {
    Tensor r = g;
    if (!Arrays.equals(g.shape, shape)) {
      int lead = g.shape.length - shape.length;
      boolean[] reduce = new boolean[g.shape.length];
      for (int i = 0; i < g.shape.length; i++) {
        reduce[i] = i < lead || (shape[i - lead] == 1 && g.shape[i] != 1);
      }
      Tensor summed = Reductions.sumDims(g, reduce);
      r = summed.view(null, shape);
      summed.close();
    }
    if (r.dtype != dtype) {
      Tensor cast = Casts.copyAs(r, dtype);
      if (r != g) r.close();
      r = cast;
    }
    return r;
  }

  /** {@code g} (shaped like a reduction's output) broadcast to {@code shape} as a new tensor. */
  static Tensor expand(Tensor g, long[] shape) {
    Tensor out = Tensor.empty(g.dtype, shape);
    if (out.numel == 0) return out;
    if (g.numel == 1) {
      out.kernels().fill(out.segment, 0, out.numel, g.kernels().get(g.segment, 0));
      return out;
    }
    BroadcastPlan plan = BroadcastPlan.of(shape, g.shape, null);
    var k = out.kernels();
    for (long row = 0; row < plan.rows; row++) {
      long src = plan.aOffset(row), dst = row * plan.inner;
      if (plan.aStep == 1) {
        k.copy(g.segment, src, out.segment, dst, plan.inner);
      } else {
        k.fill(out.segment, dst, plan.inner, k.get(g.segment, src));
      }
    }
    return out;
  }
}
