package dev.vectorgrad.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The floating point kernels of the pointwise ops beyond the four arithmetic ones (maximum/minimum,
 * pow, atan2, fmod/remainder, lerp, fused multiply-add, comparisons), for one element type over
 * contiguous element ranges, with PyTorch 1.13's CPU semantics. Generated from
 * {@code src/build/kernels/PointwiseScalar$Type$Kernels.java.template} (plain loops) and
 * {@code PointwiseVector$Type$Kernels.java.template} (Vector API loops for maximum/minimum, lerp,
 * fma and comparisons, whose results equal the scalar loops' bit for bit; the other ops run the
 * scalar loops in both).
 *
 * <p>Offsets and lengths count elements; comparison outputs are bool bytes (0 or 1). Ranges may
 * alias only when identical.
 */
public interface PointwiseKernels {

  /** Two-tensor ops, {@code out[i] = op(a[i], b[i])}. */
  enum Binary {
    /** NaN if either is NaN, else {@code a < b ? b : a} (ties, also -0.0 and 0.0, give a: {@code std::max}). */
    MAXIMUM,
    /** NaN if either is NaN, else {@code b < a ? b : a}. */
    MINIMUM,
    /** C's {@code pow} (pow(1, y) = 1, pow(-1, +-inf) = 1), rounded once from double. */
    POW,
    /** {@code atan2(a, b)}, rounded once from double. */
    ATAN2,
    /** C's {@code fmod}: exact, the sign of a. */
    FMOD,
    /** fmod moved by b when the signs differ: the sign of b (Python's %). */
    REMAINDER,
    /**
     * ReLU's derivative, PyTorch's {@code threshold_backward(grad = a, result = b, 0)}: {@code b <= 0 ? 0 : a}
     * (a NaN result passes the gradient on).
     */
    THRESHOLD_BACKWARD,
    /** tanh's derivative from its result, PyTorch's {@code tanh_backward(grad = a, y = b)}: {@code a * (1 - b * b)}. */
    TANH_BACKWARD,
    /** sigmoid's derivative from its result, PyTorch's {@code sigmoid_backward(grad = a, y = b)}: {@code a * (1 - b) * b}. */
    SIGMOID_BACKWARD
  }

  /** Ops of a tensor and a scalar s, {@code out[i] = op(a[i], s)}. */
  enum WithScalar {
    /** {@code pow(a, s)} with the exponent in double (PyTorch's {@code std::pow(scalar_t, double)}). */
    POW,
    /** {@code pow(s, a)}, s rounded to the element type. */
    BASE_POW,
    /** {@code fmod(a, s)}, s rounded to the element type. */
    FMOD,
    /** {@code remainder(a, s)}, s rounded to the element type. */
    REMAINDER,
    /** {@code a * a * a} in the element type (PyTorch's pow(a, 3)). */
    CUBE,
    /** {@code 1 / (a * a)} in the element type (PyTorch's pow(a, -2)). */
    INVERSE_SQUARE
  }

  /** Comparisons; NaN compares false except for NE. */
  enum Comparison { EQ, NE, LT, LE, GT, GE }

  void binary(Binary op, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment out, long outOff, long n);

  void withScalar(WithScalar op, MemorySegment a, long aOff, double s, MemorySegment out, long outOff, long n);

  /**
   * PyTorch's lerp with the weight rounded to the element type: {@code fma(w, b - a, a)} for
   * {@code w < 0.5}, else {@code fma(w - 1, b - a, b)}.
   */
  void lerp(MemorySegment a, long aOff, MemorySegment b, long bOff, double weight, MemorySegment out, long outOff,
            long n);

  /** {@code out[i] = a[i] * b[i] + c[i]} rounded once. */
  void fma(MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment c, long cOff, MemorySegment out,
           long outOff, long n);

  /** {@code out[i] = a[i] op b[i]} as bool bytes. */
  void compare(Comparison op, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment out, long outOff,
               long n);

  /** {@code out[i] = a[i] op s} as bool bytes, s rounded to the element type. */
  void compareScalar(Comparison op, MemorySegment a, long aOff, double s, MemorySegment out, long outOff, long n);

  /** The float32 kernels of the implementation {@link Kernels} chose (vector or scalar). */
  static PointwiseKernels float32() {
    return PointwiseKernelsChoice.FLOAT32;
  }

  /** The float64 kernels of the implementation {@link Kernels} chose. */
  static PointwiseKernels float64() {
    return PointwiseKernelsChoice.FLOAT64;
  }
}

/** Follows {@link Kernels}' choice: the Vector API classes are loaded by name only when it uses them. */
final class PointwiseKernelsChoice {
  static final PointwiseKernels FLOAT32, FLOAT64;

  static {
    PointwiseKernels f = null, d = null;
    if (!(Kernels.provider() instanceof ScalarKernelProvider)) {
      try {
        f = (PointwiseKernels) Class.forName("dev.vectorgrad.kernels.PointwiseVectorFloatKernels")
            .getDeclaredConstructor().newInstance();
        d = (PointwiseKernels) Class.forName("dev.vectorgrad.kernels.PointwiseVectorDoubleKernels")
            .getDeclaredConstructor().newInstance();
      } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
        f = null;
        d = null;
      }
    }
    FLOAT32 = f != null ? f : new PointwiseScalarFloatKernels();
    FLOAT64 = d != null ? d : new PointwiseScalarDoubleKernels();
  }

  private PointwiseKernelsChoice() {}
}
