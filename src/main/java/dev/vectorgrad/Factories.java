package dev.vectorgrad;

/** Factories beyond zeros/ones/full: ranges. */
final class Factories {
  private Factories() {}

  /** int64 {@code start, start + step, ...} up to {@code end} exclusive. PyTorch: {@code torch.arange}. */
  static Tensor arange(long start, long end, long step) {
    long n = arangeSize(start, end, step);
    Tensor t = Tensor.empty(DType.INT64, new long[] {n});
    var k = t.kernels();
    for (long i = 0; i < n; i++) k.setLong(t.segment, i, start + i * step);
    return t;
  }

  /** float32 {@code start + i * step} (computed in double, then rounded) below {@code end}. */
  static Tensor arange(double start, double end, double step) {
    if (step == 0) throw new IllegalArgumentException("step must be nonzero");
    if (!Double.isFinite(start) || !Double.isFinite(end)) {
      throw new IllegalArgumentException("unsupported range: " + start + " -> " + end);
    }
    if ((step > 0 && end < start) || (step < 0 && end > start)) {
      throw new IllegalArgumentException("upper bound and larger bound inconsistent with step sign");
    }
    long n = (long) Math.ceil((end - start) / step);
    Tensor t = Tensor.empty(DType.FLOAT32, new long[] {n});
    var k = t.kernels();
    for (long i = 0; i < n; i++) k.set(t.segment, i, start + i * step);
    return t;
  }

  private static long arangeSize(long start, long end, long step) {
    if (step == 0) throw new IllegalArgumentException("step must be nonzero");
    if ((step > 0 && end < start) || (step < 0 && end > start)) {
      throw new IllegalArgumentException("upper bound and larger bound inconsistent with step sign");
    }
    long span = end - start;
    return step > 0 ? (span + step - 1) / step : (span + step + 1) / step;
  }
}
