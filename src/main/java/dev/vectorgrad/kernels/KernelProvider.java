package dev.vectorgrad.kernels;

/** One implementation of every kernel, for every element type: Vector API or scalar. */
public interface KernelProvider {
  /** Short description for the start-up log line, e.g. "Vector API (256-bit, 8 float lanes)". */
  String description();

  ElementKernels float32();

  ElementKernels float64();

  /** int64 kernels (add, sub, mul in wrapping long arithmetic; never division). */
  ElementKernels int64();

  /** float32 GEMM ({@link Gemm}) on the caller's thread. */
  Gemm gemmFloat32();

  /** float64 GEMM ({@link Gemm}) on the caller's thread. */
  Gemm gemmFloat64();

  /** bool kernels: one byte per element, 0 or 1 (plain loops in every provider). */
  default ElementKernels bool() {
    return BoolKernels.INSTANCE;
  }
}
