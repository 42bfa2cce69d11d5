package dev.vectorgrad.kernels;

/** One implementation of every kernel, for every element type: Vector API or scalar. */
public interface KernelProvider {
  /** Short description for the start-up log line, e.g. "Vector API (256-bit, 8 float lanes)". */
  String description();

  ElementKernels float32();

  ElementKernels float64();
}
