package dev.vectorgrad.optim;

import dev.vectorgrad.DType;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.internal.Internals;
import dev.vectorgrad.kernels.OptimKernels;
import java.lang.foreign.MemorySegment;

/**
 * How the built-in optimizers reach the fused kernels: the storage segment and element offset of
 * each tensor, the kernels of the parameter's dtype, and the version bump after the kernel wrote a
 * tensor directly. Parameters and gradients that are not contiguous (a parameter that is a strided
 * view, a gradient set by hand from a transposed tensor) go through contiguous copies (Tensor
 * ops: {@code contiguous()} before, {@code copy_()} back after), so they get the same bits; only
 * then does a step allocate temporaries. State tensors are always created contiguous.
 */
final class Fused {
  private static final Internals.TensorAccess T = Internals.tensors();

  private Fused() {}

  /** The fused kernels for {@code p}'s dtype. */
  static OptimKernels kernels(Tensor p, String optimizer) {
    DType d = p.dtype();
    if (d == DType.FLOAT32) return OptimKernels.float32();
    if (d == DType.FLOAT64) return OptimKernels.float64();
    throw new IllegalArgumentException(optimizer + " supports float32 and float64 parameters, got " + d);
  }

  static MemorySegment seg(Tensor t) {
    return t == null ? null : T.storageSegment(t);
  }

  static long off(Tensor t) {
    return t == null ? 0 : T.offset(t);
  }

  /** {@code t} when contiguous, else a contiguous copy (the caller closes it with {@link #finishRead}). */
  static Tensor readable(Tensor t) {
    if (t.isClosed()) throw new IllegalStateException("a parameter or gradient of the optimizer was closed");
    if (t.isContiguous()) return t;
    try (GradMode.Guard guard = GradMode.noGrad()) {
      return t.contiguous();
    }
  }

  /** Releases what {@link #readable} made for {@code t}. */
  static void finishRead(Tensor t, Tensor used) {
    if (used != t) used.close();
  }

  /**
   * After a kernel wrote {@code used} (= {@link #readable}(p)): records the write in p's version
   * counter, or copies the contiguous copy back into p.
   */
  static void finishWrite(Tensor p, Tensor used) {
    if (used == p) {
      T.bumpVersion(p);
    } else {
      try (GradMode.Guard guard = GradMode.noGrad()) {
        p.copy_(used);
      } finally {
        used.close();
      }
    }
  }

  /** Records a direct write to a state tensor. */
  static void wrote(Tensor state) {
    if (state != null) T.bumpVersion(state);
  }
}
