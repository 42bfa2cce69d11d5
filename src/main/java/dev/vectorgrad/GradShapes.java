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
      r = summed.reshaped(null, shape);
      summed.close();
    }
    if (r.dtype != dtype) {
      Tensor cast = Casts.copyAs(r, dtype);
      if (r != g) r.close();
      r = cast;
    }
    return r;
  }

  /** {@code g} (a reduction's output, seen with its reduced dims as size 1: {@code keptShape}) broadcast to {@code shape} as a new tensor. */
  static Tensor expand(Tensor g, long[] keptShape, long[] shape) {
    Tensor out = Tensor.empty(g.dtype, shape);
    try (Tensor c = Casts.contiguousAs(g, g.dtype); Tensor kept = c.reshaped(null, keptShape)) {
      Elementwise.copy(kept, out);
    }
    return out;
  }
}
