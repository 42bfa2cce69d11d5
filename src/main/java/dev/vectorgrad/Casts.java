package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;

/** Conversions between dtypes (PyTorch's casts), and the derivative of a recorded conversion. */
final class Casts {
  private Casts() {}

  private static final double TWO_TO_63 = 0x1p63;

  /**
   * A float value converted to int64 as PyTorch 1.13 converts it on x86 ({@code static_cast<int64_t>}, i.e.
   * {@code cvttsd2si}): truncated toward zero, and NaN, the infinities and every value outside the int64 range
   * give the "integer indefinite" value {@code INT64_MIN} (Java's {@code (long)} gives 0 and saturates instead).
   */
  static long toInt64(double x) {
    return x >= -TWO_TO_63 && x < TWO_TO_63 ? (long) x : Long.MIN_VALUE;
  }

  /** A new contiguous tensor with {@code t}'s values in {@code dtype}, not recorded. */
  static Tensor copyAs(Tensor t, DType dtype) {
    t.ensureOpen();
    Tensor out = Tensor.empty(dtype, t.shape, t.numel);
    convert(t, out);
    return out;
  }

  /**
   * A contiguous tensor of {@code dtype} with {@code t}'s values that the caller closes: a copy, or
   * a second handle on {@code t}'s data when it already is one.
   */
  static Tensor contiguousAs(Tensor t, DType dtype) {
    t.ensureOpen();
    if (t.contiguous && t.dtype == dtype) return t.alias(null, t.shape, t.strides, t.offset);
    return copyAs(t, dtype);
  }

  /** Writes {@code src}'s values (broadcast), converted to {@code dst}'s dtype, into {@code dst}. */
  static void convert(Tensor src, Tensor dst) {
    if (src.dtype == dst.dtype) {
      Elementwise.copy(src, dst);
    } else {
      Elementwise.convert(src, dst);
    }
  }

  /** {@code t.to(dtype)}: {@code t} itself when it has the dtype, else a recorded copy. */
  static Tensor toRecorded(Tensor t, DType dtype) {
    t.ensureOpen();
    if (t.dtype == dtype) return t;
    Tensor out = copyAs(t, dtype);
    if (t.requiresGrad() && ThreadState.current().gradEnabled) {
      out.setHistory(new ToCopyBackward(t.dtype, t.gradEdge()));
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
