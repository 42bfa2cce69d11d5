package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.kernels.ElementKernels;

/** Conversions between float32 and float64, and the derivative of a recorded conversion. */
final class Casts {
  private Casts() {}

  /** A new tensor with {@code t}'s values in {@code dtype}, not recorded. */
  static Tensor copyAs(Tensor t, DType dtype) {
    t.ensureOpen();
    Tensor out = Tensor.empty(dtype, t.shape, t.numel);
    convert(t, out);
    return out;
  }

  /** Writes {@code src}'s values, rounded to {@code dst}'s dtype, into {@code dst} (same numel). */
  static void convert(Tensor src, Tensor dst) {
    if (src.dtype == dst.dtype) {
      dst.kernels().copy(src.segment, 0, dst.segment, 0, dst.numel);
      return;
    }
    ElementKernels from = src.kernels(), to = dst.kernels();
    for (long i = 0; i < dst.numel; i++) to.set(dst.segment, i, from.get(src.segment, i));
  }

  /** {@code t.to(dtype)}: {@code t} itself when it has the dtype, else a recorded copy. */
  static Tensor toRecorded(Tensor t, DType dtype) {
    t.ensureOpen();
    if (t.dtype == dtype) return t;
    Tensor out = copyAs(t, dtype);
    if (t.requiresGrad && ThreadState.current().gradEnabled) {
      out.requiresGrad = true;
      out.gradFn = new ToCopyBackward(t.dtype, t.gradEdge());
    }
    return out;
  }

  static final class ToCopyBackward extends Node {
    private final DType inputType;

    ToCopyBackward(DType inputType, Node edge) {
      super(edge);
      this.inputType = inputType;
    }

    @Override
    public String name() {
      return "ToCopyBackward0";
    }

    @Override
    protected Tensor[] apply(Tensor g) {
      return new Tensor[] {copyAs(g, inputType)};
    }
  }
}
