package dev.vectorgrad.kernels;

/** Plain-loop kernels: the fallback without the Vector API, and the reference in tests. */
public final class ScalarKernelProvider implements KernelProvider {
  private final ElementKernels float32 = new ScalarFloatKernels();
  private final ElementKernels float64 = new ScalarDoubleKernels();
  private final ElementKernels int64 = new ScalarLongKernels();
  private final Gemm gemmFloat32 = new ScalarFloatGemm();
  private final Gemm gemmFloat64 = new ScalarDoubleGemm();

  @Override
  public String description() {
    return "scalar kernels";
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
