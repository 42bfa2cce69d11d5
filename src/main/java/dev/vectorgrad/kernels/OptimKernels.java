package dev.vectorgrad.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Fused optimizer updates for one element type ({@code dev.vectorgrad.optim}): each call makes ONE
 * pass over a parameter, its gradient and its state buffers, with no temporaries, and computes
 * every element with exactly the floating point operations, in the same order and with the same
 * roundings, as PyTorch 1.13's single-tensor ({@code foreach=False}) implementation on the CPU:
 *
 * <ul>
 *   <li>a Python float option is rounded to the element type once, as {@code Scalar.to<float>()}
 *       does ({@code 1 - beta1} and {@code -lr} are computed in double first, as in Python);
 *   <li>{@code a.add(b, alpha=s)} is {@code fma(b, s, a)} (ATen's {@code vec::fmadd}, also in the
 *       scalar tail, measured on torch 1.13's AVX2 kernels);
 *   <li>{@code a.addcmul(t1, t2, value=s)} is {@code fma(s * t1, t2, a)} (the product {@code s * t1}
 *       rounded first);
 *   <li>{@code a.addcdiv(t1, t2, value=s)} is {@code a + (s * t1) / t2}, each step rounded;
 *   <li>{@code mul_}, {@code /}, {@code sqrt}, {@code add_(scalar)} are single IEEE operations.
 * </ul>
 *
 * <p>Every segment is addressed by an element offset; all buffers of a call hold {@code n}
 * contiguous elements and must not overlap, except that a state buffer is never the parameter.
 * The Vector API implementation and the scalar one give bit-identical results (the vector loop
 * uses {@code fma}, {@code sqrt}, {@code max} lanewise, which are exactly rounded as their
 * {@code Math} counterparts). {@link #float32()} / {@link #float64()} follow the choice of
 * {@link Kernels} (scalar when {@code -Dvectorgrad.kernels=scalar} or without the Vector API) and
 * split parameters above {@link Parallel#grain()} over {@link Parallel}'s threads (elementwise, so
 * the result does not depend on the split).
 */
public interface OptimKernels {

  /**
   * SGD ({@code torch.optim.SGD}, {@code _single_tensor_sgd}), per element:
   * <pre>
   * d = maximize ? -grad : grad
   * if weightDecay != 0: d = d.add(param, alpha=weightDecay)
   * if momentum != 0:
   *   buf = firstStep ? d : buf.mul_(momentum).add_(d, alpha=1 - dampening)
   *   d = nesterov ? d.add(buf, alpha=momentum) : buf
   * param.add_(d, alpha=-lr)
   * </pre>
   * {@code buf} is neither read nor written when {@code momentum == 0} (it may be {@code null});
   * with {@code firstStep} it is only written (PyTorch's {@code torch.clone(d_p)}).
   */
  void sgd(MemorySegment param, long paramOff, MemorySegment grad, long gradOff,
           MemorySegment buf, long bufOff, long n,
           double lr, double momentum, double dampening, double weightDecay,
           boolean nesterov, boolean maximize, boolean firstStep);

  /**
   * Adam / AdamW ({@code _single_tensor_adam}, {@code _single_tensor_adamw}), per element:
   * <pre>
   * g = maximize ? -grad : grad
   * if paramDecay != 1: param.mul_(paramDecay)                      # AdamW: 1 - lr * weight_decay
   * if weightDecay != 0: g = g.add(param, alpha=weightDecay)       # Adam's L2 term
   * exp_avg.mul_(beta1).add_(g, alpha=1 - beta1)
   * exp_avg_sq.mul_(beta2).addcmul_(g, g, value=1 - beta2)
   * v = amsgrad ? torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq) : exp_avg_sq
   * denom = (v.sqrt() / biasCorrection2Sqrt).add_(eps)
   * param.addcdiv_(exp_avg, denom, value=-stepSize)
   * </pre>
   * {@code stepSize = lr / (1 - beta1 ** step)} and {@code biasCorrection2Sqrt = sqrt(1 - beta2 ** step)}
   * are computed by the caller in double, as PyTorch does in Python floats. AdamW passes
   * {@code weightDecay = 0}; Adam passes {@code paramDecay = 1}. {@code maxExpAvgSq} is only used
   * (and may be {@code null} otherwise) with {@code amsgrad}.
   */
  void adam(MemorySegment param, long paramOff, MemorySegment grad, long gradOff,
            MemorySegment expAvg, long expAvgOff, MemorySegment expAvgSq, long expAvgSqOff,
            MemorySegment maxExpAvgSq, long maxExpAvgSqOff, long n,
            double beta1, double beta2, double eps, double weightDecay, double paramDecay,
            double stepSize, double biasCorrection2Sqrt, boolean amsgrad, boolean maximize);

  /**
   * RMSprop ({@code _single_tensor_rmsprop}), per element:
   * <pre>
   * g = maximize ? -grad : grad
   * if weightDecay != 0: g = g.add(param, alpha=weightDecay)
   * square_avg.mul_(alpha).addcmul_(g, g, value=1 - alpha)
   * if centered:
   *   grad_avg.mul_(alpha).add_(g, alpha=1 - alpha)
   *   avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
   * else: avg = square_avg.sqrt()
   * avg = avg.add_(eps)
   * if momentum > 0: buf.mul_(momentum).addcdiv_(g, avg); param.add_(buf, alpha=-lr)
   * else: param.addcdiv_(g, avg, value=-lr)
   * </pre>
   * {@code gradAvg} is only used with {@code centered}, {@code buf} only with {@code momentum > 0}
   * (either may be {@code null} otherwise).
   */
  void rmsprop(MemorySegment param, long paramOff, MemorySegment grad, long gradOff,
               MemorySegment squareAvg, long squareAvgOff, MemorySegment gradAvg, long gradAvgOff,
               MemorySegment buf, long bufOff, long n,
               double lr, double alpha, double eps, double weightDecay, double momentum,
               boolean centered, boolean maximize);

  /** Float32 optimizer kernels of the implementation {@link Kernels} chose, split over threads for large parameters. */
  static OptimKernels float32() {
    return ParallelOptimKernels.FLOAT32;
  }

  /** Float64 optimizer kernels of the implementation {@link Kernels} chose, split over threads for large parameters. */
  static OptimKernels float64() {
    return ParallelOptimKernels.FLOAT64;
  }

  /** The plain-loop kernels (single-threaded): the reference for tests. */
  static OptimKernels scalar(boolean float32) {
    return float32 ? new ScalarFloatOptim() : new ScalarDoubleOptim();
  }

  /** The Vector API kernels (single-threaded), or null when the Vector API cannot be used in this JVM. */
  static OptimKernels vectorOrNull(boolean float32) {
    try {
      String name = float32 ? "dev.vectorgrad.kernels.VectorFloatOptim" : "dev.vectorgrad.kernels.VectorDoubleOptim";
      return (OptimKernels) Class.forName(name).getDeclaredConstructor().newInstance();
    } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
