package dev.vectorgrad;

import dev.vectorgrad.kernels.ElementKernels;

/** Factories beyond zeros/ones/full: ranges and random draws. */
final class Factories {
  private Factories() {}

  // ------------------------------------------------------------------ random

  static Generator orDefault(Generator g) {
    return g == null ? Generator.defaultGenerator() : g;
  }

  /** Fills {@code t} (any geometry) with uniform values in [low, high), in row-major order. */
  static Tensor uniform(Tensor t, double low, double high, Generator g) {
    fillDrawn(t, g, r -> low + (high - low) * r.nextDouble());
    t.bumpVersion();
    return t;
  }

  /**
   * A new float32 tensor of uniform [0, 1) or standard normal draws: {@code torch.rand} / {@code torch.randn}, whose
   * results start at version 0 (filling a new tensor is not an in-place write of the caller's).
   */
  static Tensor drawn(long[] shape, boolean normal, Generator g) {
    Tensor t = Tensor.empty(DType.FLOAT32, Shapes.checked(shape));
    fillDrawn(t, g, normal ? r -> r.nextGaussian() : r -> r.nextDouble());
    return t;
  }

  /** Fills {@code t} with normal values of the given mean and standard deviation. */
  static Tensor normal(Tensor t, double mean, double std, Generator g) {
    if (std < 0) throw new IllegalArgumentException("normal expects std >= 0.0, but found std " + std);
    fillDrawn(t, g, r -> mean + std * r.nextGaussian());
    t.bumpVersion();
    return t;
  }

  private interface Sample {
    double next(java.util.random.RandomGenerator r);
  }

  private static void fillDrawn(Tensor t, Generator g, Sample sample) {
    t.ensureOpen();
    InPlace.checkWritable(t);
    InPlace.gradRecorded(t, false);   // PyTorch's refusal for leaves that require grad (use GradMode.noGrad())
    if (!t.dtype.isFloatingPoint()) {
      throw new IllegalArgumentException("\"check_uniform_bounds\" not implemented for '" + t.dtype.scalarTypeName() + "'");
    }
    ElementKernels k = t.kernels();
    orDefault(g).draw(r -> {
      for (long i = 0; i < t.numel; i++) k.set(t.seg(), t.elementOffset(i), sample.next(r));
    });
  }

  static Tensor randint(long low, long high, long[] shape, Generator g) {
    if (low >= high) {
      throw new IllegalArgumentException("random_ expects 'from' to be less than 'to', but got from=" + low
          + " >= to=" + high);
    }
    Tensor t = Tensor.empty(DType.INT64, Shapes.checked(shape));
    ElementKernels k = t.kernels();
    orDefault(g).draw(r -> {
      for (long i = 0; i < t.numel; i++) k.setLong(t.seg(), i, r.nextLong(low, high));
    });
    return t;
  }

  static Tensor randperm(long n, Generator g) {
    if (n < 0) throw new IllegalArgumentException("n must be non-negative, got" + n);
    Tensor t = arange(0, n, 1);
    ElementKernels k = t.kernels();
    orDefault(g).draw(r -> {
      for (long i = n - 1; i > 0; i--) {   // Fisher-Yates
        long j = r.nextLong(i + 1);
        long a = k.getLong(t.seg(), i), b = k.getLong(t.seg(), j);
        k.setLong(t.seg(), i, b);
        k.setLong(t.seg(), j, a);
      }
    });
    return t;
  }

  /** 1 with probability p[i], else 0, in p's dtype. PyTorch: {@code torch.bernoulli(p)}. */
  static Tensor bernoulli(Tensor p, Generator g) {
    p.ensureOpen();
    if (!p.dtype.isFloatingPoint()) {
      throw new IllegalArgumentException("\"bernoulli_tensor_cpu_self_\" not implemented for '" + p.dtype.scalarTypeName() + "'");
    }
    Tensor out = Tensor.empty(p.dtype, p.shape, p.numel);
    ElementKernels kp = p.kernels(), ko = out.kernels();
    orDefault(g).draw(r -> {
      for (long i = 0; i < p.numel; i++) {
        double prob = kp.get(p.seg(), p.elementOffset(i));
        if (!(prob >= 0 && prob <= 1)) {
          throw new IllegalArgumentException("Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
        }
        ko.set(out.seg(), i, r.nextDouble() < prob ? 1 : 0);
      }
    });
    return out;
  }

  /** int64 {@code start, start + step, ...} up to {@code end} exclusive. PyTorch: {@code torch.arange}. */
  static Tensor arange(long start, long end, long step) {
    long n = arangeSize(start, end, step);
    Tensor t = Tensor.empty(DType.INT64, new long[] {n});
    var k = t.kernels();
    for (long i = 0; i < n; i++) k.setLong(t.seg(), i, start + i * step);
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
    for (long i = 0; i < n; i++) k.set(t.seg(), i, start + i * step);
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
