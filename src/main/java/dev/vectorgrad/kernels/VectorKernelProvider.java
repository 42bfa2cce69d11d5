package dev.vectorgrad.kernels;

/**
 * Kernels on the incubating Vector API. Loaded only by name from {@link Kernels}, so that a JVM
 * without {@code jdk.incubator.vector} fails here with a {@link LinkageError} that the holder
 * catches, instead of failing every class that mentions a kernel.
 */
final class VectorKernelProvider implements KernelProvider {
  private final ElementKernels float32 = new VectorFloatKernels();
  private final ElementKernels float64 = new VectorDoubleKernels();
  private final ElementKernels int64 = new VectorLongKernels();
  private final Gemm gemmFloat32 = new VectorFloatGemm();
  private final Gemm gemmFloat64 = new VectorDoubleGemm();

  @Override
  public String description() {
    int bits = VectorFloatKernels.SPECIES.vectorBitSize();
    return "Vector API kernels (" + bits + "-bit vectors, " + VectorFloatKernels.SPECIES.length() + " float lanes)";
  }

  @Override
  public ElementKernels float32() {
    return float32;
  }

  @Override
  public ElementKernels float64() {
    return float64;
  }

  @Override
  public ElementKernels int64() {
    return int64;
  }

  @Override
  public Gemm gemmFloat32() {
    return gemmFloat32;
  }

  @Override
  public Gemm gemmFloat64() {
    return gemmFloat64;
  }
}
