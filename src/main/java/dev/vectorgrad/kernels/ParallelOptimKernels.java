package dev.vectorgrad.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The optimizer kernels {@link OptimKernels#float32()} / {@link OptimKernels#float64()} hand out:
 * the Vector API ones when {@link Kernels} runs the Vector API, the scalar ones otherwise, with
 * parameters of at least {@link Parallel#grain()} elements split into aligned chunks over
 * {@link Parallel}'s threads (each element is computed alone, so the split changes no bit).
 */
final class ParallelOptimKernels implements OptimKernels {
  static final OptimKernels FLOAT32 = new ParallelOptimKernels(choose(true));
  static final OptimKernels FLOAT64 = new ParallelOptimKernels(choose(false));

  private final OptimKernels inner;

  private ParallelOptimKernels(OptimKernels inner) {
    this.inner = inner;
  }

  private static OptimKernels choose(boolean float32) {
    if (!(Kernels.provider() instanceof ScalarKernelProvider)) {
      OptimKernels vector = OptimKernels.vectorOrNull(float32);
      if (vector != null) return vector;
    }
    return OptimKernels.scalar(float32);
  }

  private static MemorySegment orNull(MemorySegment s) {
    return s == null ? MemorySegment.NULL : s;
  }

  @Override
  public void sgd(MemorySegment param, long paramOff, MemorySegment grad, long gradOff,
                  MemorySegment buf, long bufOff, long n,
                  double lr, double momentum, double dampening, double weightDecay,
                  boolean nesterov, boolean maximize, boolean firstStep) {
    MemorySegment b = orNull(buf);
    if (!Parallel.splits(n)) {
      inner.sgd(param, paramOff, grad, gradOff, b, bufOff, n, lr, momentum, dampening, weightDecay,
          nesterov, maximize, firstStep);
    } else {
      Parallel.forRange(n, (from, to) -> inner.sgd(param, paramOff + from, grad, gradOff + from,
          b, bufOff + from, to - from, lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep));
    }
  }

  @Override
  public void adam(MemorySegment param, long paramOff, MemorySegment grad, long gradOff,
                   MemorySegment expAvg, long expAvgOff, MemorySegment expAvgSq, long expAvgSqOff,
                   MemorySegment maxExpAvgSq, long maxExpAvgSqOff, long n,
                   double beta1, double beta2, double eps, double weightDecay, double paramDecay,
                   double stepSize, double biasCorrection2Sqrt, boolean amsgrad, boolean maximize) {
    MemorySegment mx = orNull(maxExpAvgSq);
    if (!Parallel.splits(n)) {
      inner.adam(param, paramOff, grad, gradOff, expAvg, expAvgOff, expAvgSq, expAvgSqOff, mx, maxExpAvgSqOff, n,
          beta1, beta2, eps, weightDecay, paramDecay, stepSize, biasCorrection2Sqrt, amsgrad, maximize);
    } else {
      Parallel.forRange(n, (from, to) -> inner.adam(param, paramOff + from, grad, gradOff + from,
          expAvg, expAvgOff + from, expAvgSq, expAvgSqOff + from, mx, maxExpAvgSqOff + from, to - from,
          beta1, beta2, eps, weightDecay, paramDecay, stepSize, biasCorrection2Sqrt, amsgrad, maximize));
    }
  }

  @Override
  public void rmsprop(MemorySegment param, long paramOff, MemorySegment grad, long gradOff,
                      MemorySegment squareAvg, long squareAvgOff, MemorySegment gradAvg, long gradAvgOff,
                      MemorySegment buf, long bufOff, long n,
                      double lr, double alpha, double eps, double weightDecay, double momentum,
                      boolean centered, boolean maximize) {
    MemorySegment ga = orNull(gradAvg);
    MemorySegment b = orNull(buf);
    if (!Parallel.splits(n)) {
      inner.rmsprop(param, paramOff, grad, gradOff, squareAvg, squareAvgOff, ga, gradAvgOff, b, bufOff, n,
          lr, alpha, eps, weightDecay, momentum, centered, maximize);
    } else {
      Parallel.forRange(n, (from, to) -> inner.rmsprop(param, paramOff + from, grad, gradOff + from,
          squareAvg, squareAvgOff + from, ga, gradAvgOff + from, b, bufOff + from, to - from,
          lr, alpha, eps, weightDecay, momentum, centered, maximize));
    }
  }
}
