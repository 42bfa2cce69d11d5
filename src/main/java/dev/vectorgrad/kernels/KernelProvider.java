package dev.vectorgrad.kernels;

/** One implementation of every kernel, for every element type: Vector API or scalar. */
public interface KernelProvider {
  /** Short description for the start-up log line, e.g. "Vector API (256-bit, 8 float lanes)". */
  String description();

  ElementKernels float32();

  ElementKernels float64();

  /** int64 kernels (add, sub, mul in wrapping long arithmetic; never division). */
  ElementKernels int64();

  /** bool kernels: one byte per element, 0 or 1 (plain loops in every provider). */
  default ElementKernels bool() {
    return BoolKernels.INSTANCE;
  }
}
